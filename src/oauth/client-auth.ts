import type { Request } from 'express';

/** The client credentials of a token request, and how they came (RFC 6749 2.3.1). */
export type ClientCredentials =
  | { ok: true; clientId: string; secret: string; basic: boolean }
  | { ok: false; error: 'invalid_request' | 'invalid_client'; basic: boolean };

/**
 * HTTP Basic (client_secret_basic: id and secret form-urlencoded, then base64) or client_id and
 * client_secret in the body (client_secret_post); never both at once (RFC 6749 2.3).
 */
export function clientCredentials(req: Request, body: Record<string, unknown>): ClientCredentials {
  const header = req.headers.authorization;
  const inBody = body.client_secret !== undefined;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    if (inBody) return { ok: false, error: 'invalid_request', basic: true };
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, error: 'invalid_client', basic: true };
    try {
      const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      return { ok: true, clientId, secret, basic: true };
    } catch {
      return { ok: false, error: 'invalid_client', basic: true };
    }
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string')
    return { ok: true, clientId: body.client_id, secret: body.client_secret, basic: false };
  return { ok: false, error: 'invalid_client', basic: false };
}
