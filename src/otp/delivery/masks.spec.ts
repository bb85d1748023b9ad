import { maskEmail, maskPhone } from './masks';

describe('masks', () => {
  it("show the last four digits of a phone, as in Plaid's example", () => {
    expect(maskPhone('+14155558653')).toBe('(***) ***-8653');
    expect(maskPhone('+442079460018')).toBe('(***) ***-0018');
  });

  it('show one letter of each part of an address, and not its length', () => {
    expect(maskEmail('jane.doe@platypus.com')).toBe('j****@p****.com');
    expect(maskEmail('j@p.co.uk')).toBe('j****@p****.uk');
    expect(maskEmail('alongername@mail.example.org')).toBe('a****@m****.org');
  });
});
