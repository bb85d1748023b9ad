import type { Request } from 'express';

/**
 * The languages of texts shown to the user through Plaid Link: English and Spanish, English when
 * nothing matches. Each module keeps its own texts as a catalogue (the passcode texts: src/otp/messages/).
 */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** Accept-Language negotiation with q-values (Express's acceptsLanguages). */
export function localeOf(req: Request): Locale {
  const match = req.acceptsLanguages(...LOCALES);
  return typeof match === 'string' && (LOCALES as readonly string[]).includes(match) ? (match as Locale) : 'en';
}
