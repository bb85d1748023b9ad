import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { listenerOf } from '@/common/http/listener';
import { MetricsRegistry } from './metrics.registry';

/**
 * Every answer, counted and timed once it is written. The route is the pattern Express matched
 * (`/users/:user_id/2fa`), never the path itself, so a user id never becomes a label; a path that
 * matched nothing, or a request refused by the middleware before routing (a bad body), is `unmatched`.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly m: MetricsRegistry) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // This middleware's own mount (`{*path}`): still the route when the middleware after it answered.
    const mount: unknown = req.route;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routePath = req.route === mount ? undefined : (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? routePath : 'unmatched';
      this.m.observeRequest({ listener: listenerOf(req), method: req.method, route }, res.statusCode, seconds);
    });
    next();
  }
}
