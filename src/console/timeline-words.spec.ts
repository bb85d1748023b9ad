import { loadCatalogues } from '@/common/i18n/texts-files';
import { EventType } from '@/events/domain-event';
import { hasText, translator } from './console-i18n';
import {
  ONE_TEXT_TYPES,
  PROVIDER_CODES,
  SEND_REASONS,
  SOURCE_REASONS,
  TIMELINE_OUTCOMES,
  needsNextStep,
  timelineWords,
} from './timeline-words';

/** docs/console.md, "The timeline": every outcome it can show has words and, unless it went well, a next step. */
describe('the timeline words', () => {
  const catalogues = loadCatalogues();
  const languages = Object.keys(catalogues) as (keyof typeof catalogues)[];

  /** The keys asked for that a language lacks (English is not a fallback here: each language has its own). */
  const missing = (keysOf: (has: (key: string) => boolean) => string[]) =>
    languages.flatMap((lang) => {
      const console = catalogues[lang].console;
      return keysOf((key) => key in console).map((key) => `${lang}: ${key}`);
    });

  it('is in both languages', () => {
    expect(languages.sort()).toEqual(['en', 'es']);
  });

  it('has a text for every event type and outcome the timeline can show', () => {
    expect(Object.keys(TIMELINE_OUTCOMES).sort()).toEqual(
      Object.values(EventType)
        .filter((t) => t !== EventType.Throttle)
        .sort(),
    );
    const lacking = missing((has) =>
      Object.entries(TIMELINE_OUTCOMES).flatMap(([type, outcomes]) =>
        ONE_TEXT_TYPES.includes(type)
          ? [`event.${type}`].filter((k) => !has(k))
          : outcomes.map((o) => `event.${type}.${o}`).filter((k) => !has(k)),
      ),
    );
    expect(lacking).toEqual([]);
  });

  it('has a next step for every outcome that did not go as it should', () => {
    const lacking = missing((has) =>
      Object.entries(TIMELINE_OUTCOMES).flatMap(([type, outcomes]) =>
        outcomes
          .filter((o) => needsNextStep(type, o) && !has(`next.${type}.${o}`) && !has(`next.${o}`))
          .map((o) => `next.${type}.${o} (or next.${o})`),
      ),
    );
    expect(lacking).toEqual([]);
  });

  it('says every reason a send or the bank login system can fail for, and every provider code it knows', () => {
    const lacking = missing((has) =>
      [
        ...SEND_REASONS.map((r) => `why.send.${r}`),
        ...SOURCE_REASONS.map((r) => `why.source.${r}`),
        ...Object.entries(PROVIDER_CODES).flatMap(([provider, codes]) => [
          `provider.${provider}`,
          ...codes.flatMap((c) => [`code.${provider}.${c}`, `next.code.${provider}.${c}`]),
        ]),
      ].filter((k) => !has(k)),
    );
    expect(lacking).toEqual([]);
  });

  it('a refusal by Twilio: the words, the code and what to do, in English and Spanish', () => {
    const detail = { method: 'sms', path: 'legacy', reason: 'refused', provider_code: '21614' };
    expect(timelineWords('otp_send', 'provider_refused', detail, translator('en'), hasText)).toEqual({
      text: 'Passcode (sms) refused by the provider',
      why: 'Twilio 21614: not a mobile number',
      next: 'Not a mobile number: ask for another phone, or offer email.',
    });
    expect(timelineWords('otp_send', 'provider_refused', detail, translator('es'), hasText)).toEqual({
      text: 'Código (sms) rechazado por el proveedor',
      why: 'Twilio 21614: no es un número de móvil',
      next: 'No es un móvil: pida otro teléfono u ofrezca el correo.',
    });
  });

  it('a mailbox refused, a provider failing with a code it does not know, the breaker open, a shed login', () => {
    const t = translator('en');
    const says = (type: string, outcome: string, detail: Record<string, unknown>) =>
      timelineWords(type, outcome, detail, t, hasText);
    expect(says('otp_send', 'provider_refused', { method: 'email', reason: 'refused', provider_code: '553' })).toEqual({
      text: 'Passcode (email) refused by the provider',
      why: 'Mail server 553: mailbox refused (no such address, or it takes no mail)',
      next: 'Check the email address with the customer and correct it, or offer a text message.',
    });
    expect(
      says('otp_send', 'provider_failed', { method: 'voice', reason: 'rate_limited', provider_code: '20429' }),
    ).toMatchObject({
      why: 'The provider asked pxauth to slow down (Twilio 20429)',
      next: 'Not counted as a send: the customer can ask for the passcode again in a minute.',
    });
    expect(says('otp_send', 'provider_failed', { method: 'sms', reason: 'timeout' }).why).toBe(
      'The provider did not answer in time',
    );
    expect(says('login', 'source_unavailable', { reason: 'breaker_open' })).toEqual({
      text: 'Sign-in failed: the password could not be checked',
      why: "pxauth stopped calling the bank's login system for a while after repeated failures (circuit breaker open)",
      next: "Tell IT the bank's login system is failing; pxauth tries it again by itself after a short pause.",
    });
    expect(says('login', 'overloaded', {})).toEqual({
      text: 'Sign-in shed: pxauth was too busy to check it in time',
      why: null,
      next: 'Nothing was counted against the customer: they can try again in a minute. Tell operations if it keeps happening.',
    });
    expect(says('login', 'success', {}).next).toBeNull();
  });
});
