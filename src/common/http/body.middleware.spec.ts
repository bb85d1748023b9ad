import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { parseForm, parseJson } from './body.middleware';

const invalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof PxError && e.id === ErrorId.INVALID_REQUEST;
  }
  return false;
};

describe('body parsing', () => {
  it("reads Plaid's dotted and bracketed KBA keys alike", () => {
    const dotted = parseForm(
      'challenge_id=c&answers[0].question_id=q1&answers[0].text=San%20Francisco&answers[1].question_id=q2&answers[1].text=x',
    );
    const bracketed = parseForm(
      'challenge_id=c&answers[0][question_id]=q1&answers[0][text]=San+Francisco&answers[1][question_id]=q2&answers[1][text]=x',
    );
    const want = {
      challenge_id: 'c',
      answers: [
        { question_id: 'q1', text: 'San Francisco' },
        { question_id: 'q2', text: 'x' },
      ],
    };
    expect(dotted).toEqual(want);
    expect(bracketed).toEqual(want);
  });

  it('turns a repeated key into an array, for the DTO to refuse', () => {
    expect(parseForm('username=a&username=b')).toEqual({ username: ['a', 'b'] });
  });

  it("reads the body of Plaid's reference curl, whose whole query was url-encoded as one value", () => {
    expect(parseForm(encodeURIComponent('username=user123&password=pass123&institution_id=inst123'))).toEqual({
      username: 'user123',
      password: 'pass123',
      institution_id: 'inst123',
    });
  });

  it('refuses over-deep nesting and prototype keys do not pollute', () => {
    expect(invalid(() => parseForm('a[b][c][d][e]=1'))).toBe(true);
    const p = parseForm('__proto__[polluted]=1&username=a');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(p.username).toBe('a');
  });

  it('JSON: an object only, not too deep', () => {
    expect(parseJson('{"username":"a"}')).toEqual({ username: 'a' });
    expect(invalid(() => parseJson('[1]'))).toBe(true);
    expect(invalid(() => parseJson('"x"'))).toBe(true);
    expect(invalid(() => parseJson('{bad'))).toBe(true);
    expect(invalid(() => parseJson('{"a":{"b":{"c":{"d":{"e":1}}}}}'))).toBe(true);
  });
});
