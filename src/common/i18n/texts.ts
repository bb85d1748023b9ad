import { Eta, type TemplateFunction } from 'eta';
import i18next, { type i18n } from 'i18next';
import { ConfigError } from '@/config/load-config';
import { LOCALES, type Locale } from './messages';
import { emailTemplate, loadCatalogues } from './texts-files';

/**
 * Every text pxauth shows or sends, one catalogue per language (src/texts/*.json, keyed by surface),
 * read by i18next with a bank's TEXTS_DIR merged over it (docs/texts.md). Installed once at start;
 * until then, and in unit tests, the defaults.
 */
interface Installed {
  /** The TEXTS_DIR they were read from. */
  overrides: string | undefined;
  i18n: i18n;
  email: TemplateFunction;
  eta: Eta;
  /**
   * The texts asked for without values, by language, surface and key: the catalogue does not change
   * once installed, and a refusal's message (every 4xx's) was an i18next lookup, twice, per answer.
   */
  plain: Map<string, string>;
}

let installed: Installed | undefined;
const PLAIN_TEXTS_MAX = 10_000;

/** Loads the defaults and TEXTS_DIR's overrides; throws a ConfigError naming the file and key it refuses. */
export function installTexts(overrides?: string): void {
  const catalogues = loadCatalogues(overrides);
  const i18n = i18next.createInstance();
  void i18n.init({
    resources: catalogues,
    supportedLngs: [...LOCALES],
    fallbackLng: 'en',
    initAsync: false,
    // Keys are flat within a surface (the console's are dotted: "nav.search"), and texts hold colons.
    keySeparator: false,
    nsSeparator: false,
    // Escaping is the page's (eta) or the email template's job: a text message is plain text.
    interpolation: { escapeValue: false },
    // A value not given shows as nothing, as the console always did ("Signed in as  ()").
    missingInterpolationHandler: () => '',
    showSupportNotice: false,
  });
  const { file, source } = emailTemplate(overrides);
  // Like a text without {{code}}: an email without its code would leave the customer unable to sign in.
  if (!/\bit\.code\b/.test(source)) throw new ConfigError(`TEXTS_DIR: ${file} does not show it.code`);
  const eta = new Eta({ autoEscape: true, escapeFunction: escapeHtml, autoTrim: false });
  let email: TemplateFunction;
  try {
    email = eta.compile(source);
  } catch (err) {
    throw new ConfigError(`TEXTS_DIR: ${file} is not a valid template (${(err as Error).message})`);
  }
  installed = { overrides, i18n, email, eta, plain: new Map() };
}

/**
 * The texts of `overrides`, installed unless they already are: main.ts installs them before Nest starts
 * (a refused override stops the start as one line), and the app built after it finds them in place.
 */
export function ensureTexts(overrides?: string): void {
  if (!installed || installed.overrides !== overrides) installTexts(overrides);
}

function current(): Installed {
  if (!installed) installTexts();
  return installed!;
}

/** The text `key` of `surface` in `locale` (English when the locale is not one of ours), filled with `values`. */
export function text(locale: string, surface: string, key: string, values?: Record<string, unknown>): string {
  const { i18n, plain } = current();
  const lng = textLocale(locale);
  if (values && Object.keys(values).length) return i18n.t(key, { ...values, lng, ns: surface });
  const at = `${lng}\u0000${surface}\u0000${key}`;
  let found = plain.get(at);
  if (found === undefined) {
    found = i18n.t(key, { lng, ns: surface });
    // Keys come from the code and from stored outcomes, a few hundred; the bound is only a backstop.
    if (plain.size < PLAIN_TEXTS_MAX) plain.set(at, found);
  }
  return found;
}

/** Whether `surface` has a text `key` (in English, which has every key). */
export function hasText(surface: string, key: string): boolean {
  return current().i18n.exists(key, { lng: 'en', ns: surface });
}

/** The passcode email's HTML: the template, its values HTML-escaped. */
export function renderEmailHtml(values: Record<string, string>): string {
  const { eta, email } = current();
  return eta.render(email, values).trimEnd();
}

/** The language a text is shown in: the locale when it is one of ours, else English. */
export function textLocale(locale: string): Locale {
  return (LOCALES as readonly string[]).includes(locale) ? (locale as Locale) : 'en';
}

/** Numeric character references, so that no value can open a tag or leave an attribute. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
