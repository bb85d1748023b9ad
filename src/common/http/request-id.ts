import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const WELL_FORMED = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The request id echoes a well-formed incoming X-Request-Id, else a new one; it is cached on the
 * request so the logger (pino-http's genReqId) and the error envelope agree.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res?: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : newRequestId();
  req.id = id;
  if (res && !res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * A new request id: a UUID version 7 (RFC 9562, section 5.7), the Unix time in milliseconds in its first
 * 48 bits and 74 random bits after. Every audit row carries its request id, and the audit trail's index
 * on it takes ids that grow with time at its end, where a random UUID lands on a page of its own each
 * time: on SQLite a refusal's audit row cost about half as much with these (docs/performance.md). The
 * random bits, version aside, are those of randomUUID(), whose version 4 variant bits are version 7's too.
 */
export function newRequestId(now = Date.now()): string {
  const random = randomUUID();
  const ms = now.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}
