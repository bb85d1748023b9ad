/**
 * TRUST_PROXY as Express's "trust proxy" takes it: a hop count, `true`, or addresses and subnets
 * (`loopback`, `10.0.0.0/8`, comma-separated). Unset: no proxy is trusted and req.ip is the peer.
 */
export function trustProxyValue(raw: string | undefined): boolean | number | string[] | undefined {
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === 'true') return true;
  if (raw === 'false') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
