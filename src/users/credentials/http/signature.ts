import { createHmac } from 'node:crypto';

/**
 * docs/credential-sources.md: `X-PXAUTH-Signature: v1=<hex HMAC-SHA256 under UPSTREAM_HMAC_KEY of the
 * timestamp, ".", and the exact body bytes>`, the key taken as its UTF-8 bytes. Binding the timestamp
 * lets the bank refuse a replay older than 5 minutes.
 */
export function signature(key: string, timestamp: number, body: Buffer): string {
  const mac = createHmac('sha256', Buffer.from(key, 'utf8'));
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `v1=${mac.digest('hex')}`;
}
