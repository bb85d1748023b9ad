import type { Locale } from '@/common/i18n/messages';
import { hasText, text, textLocale } from '@/common/i18n/texts';

/**
 * Every word the sign-in pages show, in English and Spanish (docs/oauth.md): the `signin`
 * surface of the catalogue (src/texts/*.json, docs/texts.md).
 */
export interface PageTexts {
  lang: Locale;
  signInTitle: string;
  signInIntro: string;
  username: string;
  password: string;
  signIn: string;
  cancel: string;
  continue: string;
  verifyTitle: string;
  chooseMethod: string;
  methodLabel: (type: string, mask: string) => string;
  sendCode: string;
  codeSent: string;
  passcode: string;
  otpHint: string;
  totpHint: string;
  kbaHint: string;
  verify: string;
  errorsTitle: string;
  wrongPassword: string;
  wrongAnswer: string;
  otpNotSent: string;
  sendRefused: string;
  sendLimit: string;
  challengeEnded: string;
  missingField: string;
  invalidUsername: string;
  lockedTitle: string;
  lockedText: string;
  termsTitle: string;
  termsText: string;
  errorTitle: string;
  badRequestText: string;
  expiredText: string;
  forbiddenText: string;
  takenText: string;
  busyTitle: string;
  busyText: string;
}

export function pageTexts(locale: string): PageTexts {
  const lang = textLocale(locale);
  const t = (key: string, values?: Record<string, unknown>) => text(lang, 'signin', key, values);
  const words = Object.fromEntries(WORDS.map((key) => [key, t(key)])) as Omit<PageTexts, 'lang' | 'methodLabel'>;
  return {
    ...words,
    lang,
    // A send method of a type without its own text shows its type: "carrier_pigeon ***-1234".
    methodLabel: (type, mask) =>
      hasText('signin', `method_${type}`) ? t(`method_${type}`, { mask }) : `${type} ${mask}`,
  };
}

const WORDS = [
  'signInTitle',
  'signInIntro',
  'username',
  'password',
  'signIn',
  'cancel',
  'continue',
  'verifyTitle',
  'chooseMethod',
  'sendCode',
  'codeSent',
  'passcode',
  'otpHint',
  'totpHint',
  'kbaHint',
  'verify',
  'errorsTitle',
  'wrongPassword',
  'wrongAnswer',
  'otpNotSent',
  'sendRefused',
  'sendLimit',
  'challengeEnded',
  'missingField',
  'invalidUsername',
  'lockedTitle',
  'lockedText',
  'termsTitle',
  'termsText',
  'errorTitle',
  'badRequestText',
  'expiredText',
  'forbiddenText',
  'takenText',
  'busyTitle',
  'busyText',
] as const satisfies readonly Exclude<keyof PageTexts, 'lang' | 'methodLabel'>[];
