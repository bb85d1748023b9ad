import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';
import { isInternalPath, isManagementPath, isPublicOnlyPath, listenerOf } from './listener';
import { RequestContextStore } from './request-context';
import { requestIdOf } from './request-id';
import { hasControl } from './text';

/**
 * First for every request: the request id, the audit context, and the split between the listeners:
 * nothing internal answers on the public port, Plaid's endpoints not on the internal one, and the
 * management port (when open) serves /metrics and the probes alone, /metrics no longer on the internal one.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  private readonly managementOpen: boolean;

  constructor(config: AppConfig) {
    this.managementOpen = config.MANAGEMENT_PORT !== undefined;
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const requestId = requestIdOf(req, res);
    const listener = listenerOf(req);
    // Mounted on a wildcard, the middleware sees req.path as '/': the whole path is in originalUrl.
    const path = req.originalUrl.split('?')[0];
    if (
      (listener === 'public' && isInternalPath(path)) ||
      (listener === 'internal' && isPublicOnlyPath(path)) ||
      (listener === 'management' && !isManagementPath(path)) ||
      (listener === 'internal' && this.managementOpen && /^\/+metrics(\/|$)/i.test(path))
    ) {
      throw new PxError(ErrorId.NOT_FOUND);
    }
    assertStorablePath(path);
    RequestContextStore.run({ requestId, listener, sourceIp: req.ip }, next);
  }
}

/**
 * Path parameters (`:user_id`, `:id`) reach queries and audit rows as they are: a NUL (`%00`) is a
 * value PostgreSQL text cannot hold, and no control character is in any id we issue.
 */
function assertStorablePath(path: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw PxError.invalid(apiText('request.pathEncoding'));
  }
  if (hasControl(decoded)) throw PxError.invalid(apiText('request.pathControl'));
}
