import { AsyncLocalStorage } from 'node:async_hooks';

/** Who and what a request is, for audit events: set by middleware and guards, read by AuditService. */
export interface RequestContext {
  requestId: string;
  sourceIp?: string;
  listener: Listener;
  clientId?: string;
  /** The way the customer came: Plaid's legacy API (`/users/*`) or OAuth (sign-in pages, token endpoint). */
  path?: 'legacy' | 'oauth';
  staffId?: string;
  /** A console user signed in through the OpenID Connect provider, who has no staff key: who they are there. */
  staffSub?: string;
  staffName?: string;
}

export type Listener = 'public' | 'internal' | 'management';

const storage = new AsyncLocalStorage<RequestContext>();

export const RequestContextStore = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
