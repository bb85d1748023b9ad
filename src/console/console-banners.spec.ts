import { bannersOf } from './console-banners';
import { translator } from './console-i18n';

describe(bannersOf.name, () => {
  const en = translator('en');

  it('shows nothing when all is well, or when the state could not be read', () => {
    expect(bannersOf({ maintenance: null, open: [] }, en, 'en', 'UTC')).toEqual([]);
    expect(bannersOf(undefined, en, 'en', 'UTC')).toEqual([]);
  });

  it('says maintenance with its retry time in the zone and the notice staff set, then each open breaker', () => {
    const sut = bannersOf(
      { maintenance: { retryAt: '2030-01-15T12:00:00.000Z', message: 'Core upgrade' }, open: ['delivery_email'] },
      en,
      'en',
      'Asia/Tokyo',
    );
    expect(sut.map((b) => b.kind)).toEqual(['maintenance', 'breaker']);
    expect(sut[0].lines[0]).toContain('retry at 15 Jan 2030, 21:00:00 Asia/Tokyo.');
    expect(sut[0].lines[2]).toBe('The notice set with it: Core upgrade');
    expect(sut[1].lines[0]).toMatch(/^Passcode emails are failing at the mail server/);
    expect(sut[1].lines[1]).toMatch(/^As this replica \(.+, pid \d+\) sees it/);
  });

  it('speaks Spanish to a Spanish reader, without a time once the retry time is unknown', () => {
    const [sut] = bannersOf({ maintenance: { retryAt: null, message: null }, open: [] }, translator('es'), 'es', 'UTC');
    expect(sut.lines).toHaveLength(2);
    expect(sut.lines[0]).toMatch(/^El modo de mantenimiento está activado: .+ inicio de sesión\.$/);
  });
});
