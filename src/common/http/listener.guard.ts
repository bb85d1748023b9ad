import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { listenerOf } from './listener';
import type { Listener } from './request-context';

/** Where ServedOn keeps its listeners; the OpenAPI tests read it to list each listener's routes. */
export const LISTENER_KEY = 'pxauth:listener';

/** The listeners a controller answers on; controllers without it (health) answer on every one. */
export const ServedOn = (...listeners: Listener[]) => SetMetadata(LISTENER_KEY, listeners);

/**
 * Enforces docs/api.md#listeners after routing, on the controller that matched, so no spelling of a
 * path (case, slashes, encoding) can reach an internal route from the public listener: 404 there.
 */
@Injectable()
export class ListenerGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const servedOn = this.reflector.getAllAndOverride<Listener[] | undefined>(LISTENER_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (servedOn && !servedOn.includes(listenerOf(context.switchToHttp().getRequest<Request>())))
      throw new PxError(ErrorId.NOT_FOUND);
    return true;
  }
}
