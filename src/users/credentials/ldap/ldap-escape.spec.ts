import { escapeDnValue, escapeFilterValue } from './ldap-escape';

describe('LDAP escaping', () => {
  it('escapes filter values as RFC 4515 section 3 (its own examples)', () => {
    expect(escapeFilterValue('Parens R Us (for all your parenthetical needs)')).toBe(
      'Parens R Us \\28for all your parenthetical needs\\29',
    );
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('C:\\MYFILE')).toBe('C:\\5cMYFILE');
    expect(escapeFilterValue('a\0b')).toBe('a\\00b');
    expect(`(uid=${escapeFilterValue('*)(uid=*')})`).toBe('(uid=\\2a\\29\\28uid=\\2a)');
  });

  it('escapes DN values as RFC 4514 section 2.4', () => {
    expect(escapeDnValue('Sue, Grabbit and Runn')).toBe('Sue\\, Grabbit and Runn');
    expect(escapeDnValue('before+after')).toBe('before\\+after');
    expect(escapeDnValue('a=b,ou=admins')).toBe('a\\=b\\,ou\\=admins');
    expect(escapeDnValue('"q" <x>;\\')).toBe('\\"q\\" \\<x\\>\\;\\\\');
    expect(escapeDnValue('#hash')).toBe('\\#hash');
    expect(escapeDnValue(' lead')).toBe('\\ lead');
    expect(escapeDnValue('trail ')).toBe('trail\\ ');
    expect(escapeDnValue('alice')).toBe('alice');
  });
});
