import { otpPrompts, otpTexts } from './otp-texts';

describe(otpTexts.name, () => {
  const v = { institution: 'First Example Bank', code: '407192', minutes: 5 };

  it('names the bank, the code and its lifetime in English and in Spanish', () => {
    const en = otpTexts('en', v);
    expect(en.sms).toBe(
      'First Example Bank: your verification code is 407192. It expires in 5 minutes. Never share it with anyone.',
    );
    const es = otpTexts('es', v);
    expect(es.sms).toBe(
      'First Example Bank: su código de verificación es 407192. Caduca en 5 minutos. No lo comparta con nadie.',
    );
    expect(es.emailSubject).toBe('Su código de verificación de First Example Bank');
    expect(es.voiceLanguage).toBe('es-MX');
  });

  it('reads the digits one by one, twice', () => {
    const spoken = otpTexts('en', v).voice;
    expect(spoken.match(/4 0 7 1 9 2/g)).toHaveLength(2);
    expect(spoken).not.toContain('407192');
  });

  it('says "1 minute" and "1 minuto" in the singular', () => {
    expect(otpTexts('en', { ...v, minutes: 1 }).sms).toContain('expires in 1 minute.');
    expect(otpTexts('es', { ...v, minutes: 1 }).sms).toContain('Caduca en 1 minuto.');
  });

  it('escapes the values of the HTML part, and no text has a link', () => {
    const t = otpTexts('en', { ...v, institution: 'Bank & Co "<b>"' });
    expect(t.emailHtml).toContain('Bank &#38; Co &#34;&#60;b&#62;&#34;');
    expect(t.emailText).toContain('Bank & Co "<b>"');
    for (const locale of ['en', 'es']) {
      const all = Object.values(otpTexts(locale, v)).join('\n');
      expect(all).not.toMatch(/https?:|www\.|<a\b|href/);
      expect(all).not.toMatch(/\{\w+\}/);
    }
  });

  it('falls back to English', () => {
    expect(otpPrompts('fr')).toEqual(otpPrompts('en'));
    expect(otpPrompts('en').otpPrompt).toBe('Enter the code we sent you.');
    expect(otpTexts('fr', v).sms).toBe(otpTexts('en', v).sms);
  });
});
