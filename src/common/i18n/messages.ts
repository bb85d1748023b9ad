import type { Request } from 'express';

/** Texts shown to the user through Plaid Link: English and Spanish, English when nothing matches. */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Messages {
  otpPrompt: string;
  totpPrompt: string;
  otpText: (code: string, minutes: number) => string;
  otpVoice: (digits: string) => string;
  otpEmailSubject: string;
}

const MESSAGES: Record<Locale, Messages> = {
  en: {
    otpPrompt: 'Enter the code we sent you.',
    totpPrompt: 'Enter the 6-digit code from your authenticator app.',
    otpText: (code: string, minutes: number) =>
      `Your verification code is ${code}. It expires in ${minutes} minutes. Never share it with anyone.`,
    otpVoice: (digits: string) => `Your verification code is ${digits}. Again, your code is ${digits}.`,
    otpEmailSubject: 'Your verification code',
  },
  es: {
    otpPrompt: 'Introduzca el código que le enviamos.',
    totpPrompt: 'Introduzca el código de 6 dígitos de su aplicación de autenticación.',
    otpText: (code: string, minutes: number) =>
      `Su código de verificación es ${code}. Caduca en ${minutes} minutos. No lo comparta con nadie.`,
    otpVoice: (digits: string) => `Su código de verificación es ${digits}. Repito, su código es ${digits}.`,
    otpEmailSubject: 'Su código de verificación',
  },
};

/** Accept-Language negotiation with q-values (Express's acceptsLanguages). */
export function localeOf(req: Request): Locale {
  const match = req.acceptsLanguages(...LOCALES);
  return typeof match === 'string' && (LOCALES as readonly string[]).includes(match) ? (match as Locale) : 'en';
}

export function messages(locale: string): Messages {
  return (MESSAGES as Record<string, Messages | undefined>)[locale] ?? MESSAGES.en;
}
