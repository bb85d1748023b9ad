import { EN } from './en.catalogue';
import { ES } from './es.catalogue';
import type { OtpCatalogue } from './otp-catalogue';

const CATALOGUES: Record<string, OtpCatalogue> = { en: EN, es: ES };

/** The catalogue of a challenge's locale (negotiated from Accept-Language at login); English otherwise. */
export function otpCatalogue(locale: string): OtpCatalogue {
  return CATALOGUES[locale] ?? EN;
}

export interface OtpTexts {
  sms: string;
  voice: string;
  voiceLanguage: string;
  emailSubject: string;
  emailText: string;
  emailHtml: string;
}

/** Every text of one passcode, in the challenge's language, naming the bank and the code's lifetime. */
export function otpTexts(locale: string, v: { institution: string; code: string; minutes: number }): OtpTexts {
  const c = otpCatalogue(locale);
  const plural = new Intl.PluralRules(locale).select(v.minutes) === 'one' ? 'one' : 'other';
  const lifetime = fill(c.lifetime[plural], { minutes: String(v.minutes) });
  // Digit by digit, so that a voice reads "4 0 7…" rather than "four hundred and seven thousand".
  const values = { institution: v.institution, code: v.code, digits: v.code.split('').join(' '), lifetime };
  return {
    sms: fill(c.sms, values),
    voice: fill(c.voice, values),
    voiceLanguage: c.voiceLanguage,
    emailSubject: fill(c.emailSubject, values),
    emailText: fill(c.emailText, values),
    emailHtml: fill(c.emailHtml, values, escapeHtml),
  };
}

function fill(template: string, values: Record<string, string>, escape = (s: string) => s): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? escape(values[name]) : whole));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
