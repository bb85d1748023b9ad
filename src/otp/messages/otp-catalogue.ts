/**
 * What one language says to a user about passcodes: the prompts of a challenge (PRODUCT.md section 5)
 * and the texts of a delivery (section 6). Templates name their values in braces ({institution},
 * {code}, {digits}, {lifetime}, {minutes}); otp-texts.ts fills them. Never a link: a passcode message
 * with a link is what phishing looks like, and Plaid's users are told so.
 */
export interface OtpCatalogue {
  otpPrompt: string;
  totpPrompt: string;
  /** How long the code lives, by the plural category of {minutes} (Intl.PluralRules). */
  lifetime: { one: string; other: string };
  sms: string;
  /** Read aloud: {digits} is the code digit by digit; the template says it twice. */
  voice: string;
  /** The BCP 47 tag of the Twilio <Say> voice that reads `voice`. */
  voiceLanguage: string;
  emailSubject: string;
  emailText: string;
  /** Values are HTML-escaped when filled into this one. */
  emailHtml: string;
}
