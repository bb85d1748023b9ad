import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@/config/load-config';
import { LOCALES, type Locale } from './messages';

/** One language's texts: a surface (`api`, `console`, `signin`, `passcode`...) to its keys and their templates. */
export type Catalogue = Record<string, Record<string, string>>;

/** The defaults shipped with pxauth: src/texts (dist/texts once built; nest-cli.json copies them). */
export const DEFAULT_TEXTS_DIR = join(__dirname, '..', '..', 'texts');
export const EMAIL_TEMPLATE = 'passcode-email.html.eta';

/** `{{name}}` and `{{name, format}}`, as i18next reads them. */
const PLACEHOLDER = /\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g;

export function placeholders(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]));
}

/**
 * The catalogue of every language: the defaults, with a bank's files from TEXTS_DIR merged over them
 * (docs/texts.md). An override may hold any subset of the keys; a key the defaults do not have, or a
 * text without a placeholder its default has, is refused: a passcode message without `{{code}}` would
 * leave customers unable to sign in, and a misspelt key would be a reword that silently never shows.
 */
export function loadCatalogues(overrides?: string): Record<Locale, Catalogue> {
  const result = {} as Record<Locale, Catalogue>;
  for (const locale of LOCALES) {
    const defaults = readJson(join(DEFAULT_TEXTS_DIR, `${locale}.json`));
    const file = overrides ? join(overrides, `${locale}.json`) : undefined;
    result[locale] = file && existsSync(file) ? merged(defaults, readJson(file), file) : defaults;
  }
  return result;
}

/** The passcode email's HTML template: TEXTS_DIR's when it has one, else the default. */
export function emailTemplate(overrides?: string): { file: string; source: string } {
  const own = overrides ? join(overrides, EMAIL_TEMPLATE) : undefined;
  const file = own && existsSync(own) ? own : join(DEFAULT_TEXTS_DIR, EMAIL_TEMPLATE);
  return { file, source: readFileSync(file, 'utf8') };
}

function readJson(file: string): Catalogue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`TEXTS_DIR: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(parsed)) throw new ConfigError(`TEXTS_DIR: ${file} must hold one object, keyed by surface`);
  return parsed as Catalogue;
}

function merged(defaults: Catalogue, override: Catalogue, file: string): Catalogue {
  const out: Catalogue = {};
  for (const [surface, texts] of Object.entries(defaults)) out[surface] = { ...texts };
  for (const [surface, texts] of Object.entries(override)) {
    if (!(surface in defaults)) throw new ConfigError(`TEXTS_DIR: ${file}: unknown key "${surface}"`);
    if (!isObject(texts)) throw new ConfigError(`TEXTS_DIR: ${file}: "${surface}" must be an object of texts`);
    for (const [key, value] of Object.entries(texts)) {
      const name = `${surface}.${key}`;
      if (!Object.hasOwn(defaults[surface], key)) throw new ConfigError(`TEXTS_DIR: ${file}: unknown key "${name}"`);
      if (typeof value !== 'string') throw new ConfigError(`TEXTS_DIR: ${file}: "${name}" must be a string`);
      const have = placeholders(value);
      const missing = [...placeholders(defaults[surface][key])].filter((p) => !have.has(p));
      if (missing.length)
        throw new ConfigError(
          `TEXTS_DIR: ${file}: "${name}" lacks ${missing.map((p) => `{{${p}}}`).join(', ')}, which the default has`,
        );
      out[surface][key] = value;
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
