import { ConfigError, loadConfig } from './load-config';
import { liveChannels } from './live-delivery';

const SID = `AC${'ab'.repeat(16)}`;
const SERVICE = `MG${'cd'.repeat(16)}`;
const TOKEN = 'tw-token-secret-value';
const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+14155550100' };
const email = { SMTP_URL: 'smtp://u:smtp-pass-secret@mail.bank.example:587', MAIL_FROM: 'no-reply@bank.example' };
const live = { OTP_DELIVERY: 'live', INSTITUTION_NAME: 'Example Bank' };

const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e instanceof ConfigError ? e.message : `not a ConfigError: ${String(e)}`;
  }
  return '';
};

describe('live delivery settings', () => {
  it('offers the channels whose settings are complete: voice needs TWILIO_FROM itself', () => {
    expect(liveChannels(loadConfig({ ...live, ...twilio }))).toEqual({ sms: true, voice: true, email: false });
    expect(liveChannels(loadConfig({ ...live, ...email }))).toEqual({ sms: false, voice: false, email: true });
    const service = { ...twilio, TWILIO_FROM: '', TWILIO_MESSAGING_SERVICE_SID: SERVICE };
    expect(liveChannels(loadConfig({ ...live, ...service, ...email }))).toEqual({
      sms: true,
      voice: false,
      email: true,
    });
  });

  it('stops the start on half a channel, naming what is missing, whatever OTP_DELIVERY says', () => {
    expect(error({ ...live, TWILIO_ACCOUNT_SID: SID })).toMatch(
      /TWILIO_AUTH_TOKEN: required for Twilio delivery[\s\S]*TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: required/,
    );
    expect(error({ TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+14155550100' })).toMatch(/TWILIO_ACCOUNT_SID: required/);
    expect(error({ ...live, SMTP_URL: email.SMTP_URL })).toMatch(/MAIL_FROM: required for email delivery/);
    expect(error({ ...live, MAIL_FROM: email.MAIL_FROM })).toMatch(/SMTP_URL: required for email delivery/);
  });

  it('refuses live delivery with no channel, or without INSTITUTION_NAME', () => {
    expect(error({ OTP_DELIVERY: 'live', INSTITUTION_NAME: 'B' })).toMatch(
      /OTP_DELIVERY=live needs at least one channel/,
    );
    expect(error({ OTP_DELIVERY: 'live', ...email })).toMatch(/INSTITUTION_NAME: required with OTP_DELIVERY=live/);
    expect(error({ OTP_DELIVERY: 'carrier-pigeon' })).toMatch(/OTP_DELIVERY must be outbox or live/);
  });

  it('starts production with live delivery and one channel', () => {
    const prod = { NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64) };
    expect(error({ ...prod, ...live, ...email })).toBe('');
    expect(error({ ...prod })).toMatch(
      /OTP_DELIVERY=outbox is refused when NODE_ENV=production: set OTP_DELIVERY=live/,
    );
  });

  it('checks the form of each setting, and never prints the token or the SMTP password', () => {
    const msg = error({
      ...live,
      ...twilio,
      ...email,
      TWILIO_ACCOUNT_SID: 'SK123',
      TWILIO_FROM: '4155550100',
      TWILIO_API_URL: 'ftp://x',
      SMTP_URL: 'http://u:smtp-pass-secret@x',
      INSTITUTION_NAME: '<script>',
    });
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_FROM', 'TWILIO_API_URL', 'SMTP_URL', 'INSTITUTION_NAME'])
      expect(msg).toMatch(new RegExp(`${name}\\b`));
    expect(msg).not.toContain(TOKEN);
    expect(msg).not.toContain('smtp-pass-secret');
  });
});
