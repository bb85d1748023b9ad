import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, redactSettings } from './config/load-config';
import { installTexts } from './common/i18n/texts';

async function main(): Promise<void> {
  // Settings are checked before Nest starts, so a bad one is reported as one line naming it.
  loadDotenv({ quiet: true });
  const config = loadConfig(process.env);
  // The bank's texts too (docs/texts.md): an override that drops a placeholder stops the start here.
  installTexts(config.TEXTS_DIR);
  // The application's code is loaded only now: a bad setting is reported without waiting for it.
  const { startPxAuth } = await import('./server');
  // startPxAuth logs where each listener is, the database, delivery, credential source and sandbox.
  const px = await startPxAuth();
  const stop = (signal: string) => {
    console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `${signal}: draining and shutting down` }));
    px.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  // A configuration error names the variable; anything else is a start-up failure with its stack.
  // Either is printed without the secrets of the settings (docs/api.md#staff-api).
  console.error(redactSettings(err instanceof ConfigError ? err.message : inspect(err), process.env));
  process.exit(1);
});
