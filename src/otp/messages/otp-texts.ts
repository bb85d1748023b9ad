import { renderEmailHtml, text, textLocale } from '@/common/i18n/texts';

/**
 * The passcode texts: the `passcode` surface of the catalogue (src/texts/*.json, docs/texts.md), the
 * prompts of a challenge (docs/api.md) and the texts of a delivery (docs/passcode-delivery.md). Never a link:
 * a passcode message with a link is what phishing looks like, and Plaid's users are told so.
 */
export interface OtpPrompts {
  otpPrompt: string;
  totpPrompt: string;
}

/** The prompts in a challenge's locale (negotiated from Accept-Language at login); English otherwise. */
export function otpPrompts(locale: string): OtpPrompts {
  return { otpPrompt: text(locale, 'passcode', 'otpPrompt'), totpPrompt: text(locale, 'passcode', 'totpPrompt') };
}

export interface OtpTexts {
  sms: string;
  voice: string;
  /** The BCP 47 tag of the Twilio <Say> voice that reads `voice`. */
  voiceLanguage: string;
  emailSubject: string;
  emailText: string;
  emailHtml: string;
}

/** Every text of one passcode, in the challenge's language, naming the bank and the code's lifetime. */
export function otpTexts(locale: string, v: { institution: string; code: string; minutes: number }): OtpTexts {
  const t = (key: string, values: Record<string, unknown> = {}) => text(locale, 'passcode', key, values);
  // lifetime_one or lifetime_other by the language's plural rule (Intl.PluralRules); Spanish's "many"
  // (a million minutes) reads as "other", which i18next's own plural lookup would answer in English.
  const plural = new Intl.PluralRules(textLocale(locale)).select(v.minutes) === 'one' ? 'one' : 'other';
  const lifetime = t(`lifetime_${plural}`, { minutes: v.minutes });
  // Digit by digit, so that a voice reads "4 0 7…" rather than "four hundred and seven thousand".
  const values = { institution: v.institution, code: v.code, digits: v.code.split('').join(' '), lifetime };
  return {
    sms: t('sms', values),
    voice: t('voice', values),
    voiceLanguage: t('voiceLanguage'),
    emailSubject: t('emailSubject', values),
    emailText: t('emailText', values),
    emailHtml: renderEmailHtml({
      lang: textLocale(locale),
      code: v.code,
      intro: t('emailIntro', values),
      expiry: t('emailExpiry', values),
      ignore: t('emailIgnore', values),
    }),
  };
}
