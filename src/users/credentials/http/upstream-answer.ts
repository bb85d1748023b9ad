/**
 * The bank's answer (docs/credential-sources.md), validated strictly: unknown fields are ignored, but a
 * known field of the wrong type, a missing reference, or an unknown `result` is a malformed answer
 * (null here, a 503 for Plaid), never a guess.
 */
export type UpstreamAnswer =
  | { result: 'valid'; reference: string; phone?: string | null; email?: string | null; termsPending: boolean }
  | { result: 'invalid' }
  | { result: 'locked' }
  | { result: 'not_allowed' };

const E164 = /^\+[1-9]\d{6,14}$/;
// One @, something either side, no spaces: an address the OTP sender can use (RFC 5321's 254 octets).
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function parseAnswer(text: string): UpstreamAnswer | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const a = body as Record<string, unknown>;
  switch (a.result) {
    case 'invalid':
    case 'locked':
    case 'not_allowed':
      return { result: a.result };
    case 'valid':
      return valid(a);
    default:
      return null;
  }
}

function valid(a: Record<string, unknown>): UpstreamAnswer | null {
  const { reference, phone, email, terms_pending: termsPending } = a;
  if (typeof reference !== 'string' || reference.length < 1 || reference.length > 256) return null;
  const phoneOk = phone === undefined || phone === null || (typeof phone === 'string' && E164.test(phone));
  const emailOk =
    email === undefined || email === null || (typeof email === 'string' && email.length <= 254 && EMAIL.test(email));
  if (!phoneOk || !emailOk) return null;
  if (termsPending !== undefined && typeof termsPending !== 'boolean') return null;
  return {
    result: 'valid',
    reference,
    ...(phone !== undefined && { phone }),
    ...(email !== undefined && { email }),
    termsPending: termsPending === true,
  };
}
