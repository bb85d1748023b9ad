import { parseAnswer } from './upstream-answer';
import { signature } from './signature';

describe('the bank answer (docs/credential-sources.md)', () => {
  it('reads the four results, ignoring unknown fields', () => {
    expect(parseAnswer('{"result":"invalid","why":"x"}')).toEqual({ result: 'invalid' });
    expect(parseAnswer('{"result":"locked"}')).toEqual({ result: 'locked' });
    expect(parseAnswer('{"result":"not_allowed"}')).toEqual({ result: 'not_allowed' });
    expect(parseAnswer('{"result":"valid","reference":"c-1","segment":"retail"}')).toEqual({
      result: 'valid',
      reference: 'c-1',
      termsPending: false,
    });
    expect(
      parseAnswer(
        '{"result":"valid","reference":"c-1","phone":"+14155550100","email":"a@b.example","terms_pending":true}',
      ),
    ).toEqual({ result: 'valid', reference: 'c-1', phone: '+14155550100', email: 'a@b.example', termsPending: true });
    // null says "none": the shadow user's phone is cleared.
    expect(parseAnswer('{"result":"valid","reference":"c-1","phone":null}')).toMatchObject({ phone: null });
  });

  it.each([
    ['not JSON', '<html>'],
    ['an array', '[{"result":"valid"}]'],
    ['an unknown result', '{"result":"ok"}'],
    ['no result', '{"reference":"c-1"}'],
    ['valid without a reference', '{"result":"valid"}'],
    ['a reference that is a number', '{"result":"valid","reference":12}'],
    ['an empty reference', '{"result":"valid","reference":""}'],
    ['a phone that is not E.164', '{"result":"valid","reference":"c","phone":"415 555 0100"}'],
    ['an email that is not one', '{"result":"valid","reference":"c","email":"nobody"}'],
    ['terms_pending as a string', '{"result":"valid","reference":"c","terms_pending":"true"}'],
  ])('refuses %s as malformed', (_what, text) => {
    expect(parseAnswer(text)).toBeNull();
  });
});

describe('X-PXAUTH-Signature', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" (checked against openssl dgst -hmac)', () => {
    const body = Buffer.from('{"username":"alice","password":"pw","institution_id":"default","request_id":"r1"}');
    expect(signature('bank-shared-hmac-key-0123456789abcdef', 1795400000, body)).toBe(
      'v1=617ab22fab10728a27b842db58ea3425ff023bbe63a61ead65fc150ea1caacc9',
    );
  });
});
