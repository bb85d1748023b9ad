import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from './config/app-config';
import { startPxAuth } from './server';

async function main(): Promise<void> {
  // Settings are checked before Nest starts, so a bad one is reported as one line naming it.
  loadDotenv({ quiet: true });
  loadConfig(process.env);
  const px = await startPxAuth();
  console.log(
    JSON.stringify({
      level: 30,
      time: Date.now(),
      msg: 'pxauth listening',
      public: px.publicUrl,
      internal: px.internalUrl,
    }),
  );
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
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
