import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { AppConfig } from './app-config';
import { consoleOidcProblems } from './console-oidc-settings';
import { credentialSourceProblems } from './credential-source-settings';
import { withFileSettings } from './file-settings';
import { liveDeliveryProblems } from './live-delivery';
import { isSecretSetting, redactSecrets, redactUrls } from './redact';
import { databaseTlsProblems, keyListProblems } from './secret-settings';

export class ConfigError extends Error {}

/**
 * The name of every setting: the properties of AppConfig, those with a default and the optional
 * ones (known by their validators). `.env.example` must list exactly these (env-example.spec.ts).
 */
export function settingNames(): string[] {
  const validated = getMetadataStorage()
    .getTargetValidationMetadatas(AppConfig, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...Object.keys(new AppConfig()), ...validated])];
}

/** `text` with the secrets among the settings of `env` masked (see redact.ts): for start-up errors. */
export function redactSettings(text: string, env: Record<string, string | undefined>): string {
  const names = new Set(settingNames());
  return redactSecrets(text, Object.fromEntries(Object.entries(env).filter(([k]) => names.has(k))));
}

/** A bad value as a message may show it: never a secret's, and a URL without its password. */
function shown(name: string, value: string | undefined): string {
  if (isSecretSetting(name)) return `${name} (value hidden)`;
  return `${name}=${JSON.stringify(redactUrls(value ?? ''))}`;
}

/** Builds and validates the config (each setting from NAME or from the file NAME_FILE); throws a ConfigError naming each bad variable. */
export function loadConfig(given: Record<string, string | undefined>): AppConfig {
  const known = new Set(settingNames());
  const { env, problems: fileProblems } = withFileSettings(given, known);
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && known.has(k)));
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const problems = fileProblems.concat(
    validateSync(config, { skipMissingProperties: false }).map(
      (e) => `${shown(e.property, env[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    ),
  );
  problems.push(...keyListProblems(config));
  if (config.production) {
    if (!config.encryptionKeys.length && !config.ENCRYPTION_KEYS)
      problems.push('ENCRYPTION_KEY: required when NODE_ENV=production (or ENCRYPTION_KEYS)');
    if (config.SANDBOX) problems.push('SANDBOX=true is refused when NODE_ENV=production');
    if (config.OTP_DELIVERY === 'outbox')
      problems.push('OTP_DELIVERY=outbox is refused when NODE_ENV=production: set OTP_DELIVERY=live and a channel');
  }
  problems.push(...liveDeliveryProblems(config));
  problems.push(...credentialSourceProblems(config));
  problems.push(...databaseTlsProblems(config));
  problems.push(...consoleOidcProblems(config));
  if (new Set(config.MFA_PRIORITY).size !== config.MFA_PRIORITY.length)
    problems.push('MFA_PRIORITY: a factor is listed twice');
  // Redacted once more as a whole: a validator's message could quote a value in some later rule.
  if (problems.length)
    throw new ConfigError(redactSettings(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, env));
  return config;
}
