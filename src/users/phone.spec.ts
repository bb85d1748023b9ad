import { toE164 } from './phone';

describe(toE164.name, () => {
  it.each([
    ['+14155550123', '+14155550123'],
    ['+1 (415) 555-0199', '+14155550199'],
    [' +34 612 34 56 78 ', '+34612345678'],
    ['+44 20 7946 0018', '+442079460018'],
  ])('stores %s as %s', (input, e164) => expect(toE164(input)).toBe(e164));

  it.each([
    ['no country code', '4155550123'],
    ['letters (a vanity number)', '+1415CALLME'],
    ['an exchange that does not exist', '+15555550100'],
    ['too short', '+1415555'],
    ['too long', '+1234567890123456'],
    ['a leading zero', '+04155550123'],
  ])('refuses %s', (_name, input) => expect(toE164(input)).toBeNull());
});
