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
  const id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  req.id = id;
  if (res && !res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
