import accepts from 'accepts';
import type { IncomingMessage } from 'node:http';

/**
 * The languages of texts shown to the user through Plaid Link: English and Spanish, English when
 * nothing matches. Each module keeps its own texts as a catalogue (the passcode texts: src/otp/messages/).
 */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * Accept-Language negotiation with q-values, by the library Express's acceptsLanguages uses, so that a
 * request answered before Express (src/edge/login.fast-path.ts) is negotiated alike.
 */
export function localeOf(req: IncomingMessage): Locale {
  const match = accepts(req).languages(...LOCALES);
  return typeof match === 'string' && (LOCALES as readonly string[]).includes(match) ? (match as Locale) : 'en';
}
