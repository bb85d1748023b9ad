import type { IncomingMessage } from 'node:http';
import type { Listener } from './request-context';

/** Both listeners serve one Express app; each tags the requests it accepted with its name. */
export const LISTENER = Symbol('pxauth.listener');

export function tagListener(req: IncomingMessage, listener: Listener): void {
  (req as unknown as Record<symbol, Listener>)[LISTENER] = listener;
}

export function listenerOf(req: IncomingMessage): Listener {
  return (req as unknown as Record<symbol, Listener>)[LISTENER] ?? 'public';
}

/** Paths that exist only on the internal listener (docs/api.md#listeners): a first filter; ListenerGuard decides. */
export function isInternalPath(path: string): boolean {
  return /^\/+(admin|console|metrics|tokens|openapi(\.json)?)(\/|$)/i.test(path);
}

/** All that the management listener serves: Prometheus' scrape and the probes. */
export function isManagementPath(path: string): boolean {
  return /^\/+(metrics|healthz|readyz)\/*$/i.test(path);
}

/** Paths that exist only on the public listener: Plaid's endpoints. */
export function isPublicOnlyPath(path: string): boolean {
  return /^\/+users(\/|$)/i.test(path);
}
