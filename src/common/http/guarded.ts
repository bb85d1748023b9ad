import { CanActivate, Type, UseGuards, applyDecorators } from '@nestjs/common';
import { ListenerGuard, ServedOn } from './listener.guard';
import type { Listener } from './request-context';

/** Nest's global guards (APP_GUARD in AppModule), in the order Nest runs them: before any controller's. */
export const GLOBAL_GUARDS: readonly Type<CanActivate>[] = [ListenerGuard];

/**
 * Where a controller's routes answer and the guards they run, declared once: the controller's decorators
 * are built from it (`Guarded`), and a route answered before Express (src/edge/) runs the same guards,
 * after GLOBAL_GUARDS, in the same order, so that a guard added here is on both paths.
 */
export interface GuardedRoutes {
  readonly listener: Listener;
  readonly guards: readonly Type<CanActivate>[];
}

/** `@ServedOn` and `@UseGuards` of a controller, from its declaration. */
export const Guarded = (routes: GuardedRoutes) =>
  applyDecorators(ServedOn(routes.listener), UseGuards(...routes.guards));
