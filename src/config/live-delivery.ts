import type { AppConfig } from './app-config';

type LiveSettings = Pick<
  AppConfig,
  | 'OTP_DELIVERY'
  | 'INSTITUTION_NAME'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM'
  | 'TWILIO_MESSAGING_SERVICE_SID'
  | 'SMTP_URL'
  | 'MAIL_FROM'
>;

/** The send method types live delivery serves with these settings (docs/api.md#post-usersuser_idsendotp). */
export interface LiveChannels {
  sms: boolean;
  voice: boolean;
  email: boolean;
}

/**
 * SMS needs the account, its token and a sender (TWILIO_FROM or a Messaging Service); voice needs
 * TWILIO_FROM itself, since a call cannot come from a Messaging Service; email needs SMTP_URL and MAIL_FROM.
 */
export function liveChannels(c: LiveSettings): LiveChannels {
  const twilio = !!(c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && (c.TWILIO_FROM || c.TWILIO_MESSAGING_SERVICE_SID));
  return { sms: twilio, voice: twilio && !!c.TWILIO_FROM, email: !!(c.SMTP_URL && c.MAIL_FROM) };
}

/**
 * Half a channel's settings, or live delivery with no channel, stops the start with a message naming
 * what is missing: a bank that meant to configure a channel must not find out at a customer's login.
 */
export function liveDeliveryProblems(c: LiveSettings): string[] {
  const problems: string[] = [];
  const twilio = {
    TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN,
    'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID': c.TWILIO_FROM || c.TWILIO_MESSAGING_SERVICE_SID,
  };
  problems.push(...halfSet('Twilio', twilio));
  problems.push(...halfSet('email', { SMTP_URL: c.SMTP_URL, MAIL_FROM: c.MAIL_FROM }));
  if (c.OTP_DELIVERY !== 'live') return problems;
  const channels = liveChannels(c);
  if (!channels.sms && !channels.email && !problems.length)
    problems.push(
      'OTP_DELIVERY=live needs at least one channel: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM ' +
        '(or TWILIO_MESSAGING_SERVICE_SID) for sms and voice, or SMTP_URL and MAIL_FROM for email',
    );
  if (!c.INSTITUTION_NAME) problems.push('INSTITUTION_NAME: required with OTP_DELIVERY=live (the texts name the bank)');
  return problems;
}

function halfSet(channel: string, settings: Record<string, string | undefined>): string[] {
  const missing = Object.keys(settings).filter((k) => !settings[k]);
  if (!missing.length || missing.length === Object.keys(settings).length) return [];
  return missing.map((name) => `${name}: required for ${channel} delivery (the other settings of ${channel} are set)`);
}
