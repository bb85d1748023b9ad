import type { Request } from 'express';
import { hasText as hasCatalogueText, text } from '@/common/i18n/texts';

/**
 * The console's words, in English and Spanish: the `console` surface of the catalogue (src/texts/*.json,
 * docs/texts.md). Event texts are keyed `event.<type>.<outcome>`, falling back to `event.<type>`.
 */
export const CONSOLE_LOCALES = ['en', 'es'] as const;
export type ConsoleLocale = (typeof CONSOLE_LOCALES)[number];

/** The language cookie (set by the language links), else the browser's Accept-Language, else English. */
export function consoleLocale(req: Request, cookie?: string): ConsoleLocale {
  if (cookie && (CONSOLE_LOCALES as readonly string[]).includes(cookie)) return cookie as ConsoleLocale;
  const match = req.acceptsLanguages(...CONSOLE_LOCALES);
  return typeof match === 'string' && (CONSOLE_LOCALES as readonly string[]).includes(match)
    ? (match as ConsoleLocale)
    : 'en';
}

export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** `{{name}}` placeholders are filled with `values`; a key with no text shows as itself. */
export function translator(locale: ConsoleLocale): Translate {
  return (key, values = {}) =>
    text(locale, 'console', key, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, shown(v)])));
}

/** A value in a sentence: text and numbers as they are, a list joined, anything else left out. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(shown).join(', ');
  return '';
}

export function hasText(key: string): boolean {
  return hasCatalogueText('console', key);
}
