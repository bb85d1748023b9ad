import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorId } from '../errors/error-id';
import { PxError } from '../errors/px.error';
import { isInternalPath, isPublicOnlyPath, listenerOf } from './listener';
import { RequestContextStore } from './request-context';
import { requestIdOf } from './request-id';

/**
 * First for every request: the request id, the audit context, and the split between the two
 * listeners: nothing internal answers on the public port, and Plaid's endpoints not on the internal one.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const requestId = requestIdOf(req, res);
    const listener = listenerOf(req);
    // Mounted on a wildcard, the middleware sees req.path as '/': the whole path is in originalUrl.
    const path = req.originalUrl.split('?')[0];
    if ((listener === 'public' && isInternalPath(path)) || (listener === 'internal' && isPublicOnlyPath(path))) {
      throw new PxError(ErrorId.NOT_FOUND);
    }
    RequestContextStore.run({ requestId, listener, sourceIp: req.ip }, next);
  }
}
