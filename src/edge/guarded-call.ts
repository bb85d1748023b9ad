import { CanActivate, ForbiddenException, Inject, Injectable, Logger, Type } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import pino, { type DestinationStream, type Logger as Pino, type LoggerOptions } from 'pino';
import proxyAddr from 'proxy-addr';
import { isObservable, lastValueFrom } from 'rxjs';
import { asLoggedPxError, envelopeOf } from '@/common/errors/error.filter';
import { RequestContextStore } from '@/common/http/request-context';
import { requestIdOf } from '@/common/http/request-id';
import { localeOf } from '@/common/i18n/messages';
import { AppConfig } from '@/config/app-config';
import type { LeanAnswer, LeanRoute } from './lean-routes';

// Nest's router answers a guard that returns false with this (@nestjs/core/guards/constants).
const FORBIDDEN_MESSAGE = 'Forbidden resource';

/**
 * The part of Nest's pipeline a lean route keeps: its controller's guards, run as Nest's router runs them,
 * then its work, every error answered in the envelope as ErrorEnvelopeFilter answers it. The only place a
 * lean route builds an ExecutionContext, so that every guard sees what it sees behind Express.
 */
@Injectable()
export class GuardedCall {
  private readonly errors = new Logger('Errors');
  private readonly resolved = new Map<LeanRoute, CanActivate[]>();
  private readonly root: Pino;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly adapter: HttpAdapterHost,
    private readonly config: AppConfig,
    @Inject(PARAMS_PROVIDER_TOKEN) params: Params,
  ) {
    // This application's logger, built from its own settings as nestjs-pino builds its own: PinoLogger.root
    // is the last one started in the process, another application's when several run side by side.
    this.root = pino(...(params.pinoHttp as [LoggerOptions, DestinationStream]));
  }

  /**
   * `route.guards` in order with the controller's class and handler (the key of their metadata: roles,
   * listeners, throttle counters), then `work`. From here on the request is this path's to answer.
   */
  run(
    route: LeanRoute,
    req: IncomingMessage,
    res: ServerResponse,
    work: (clientId: string | undefined) => Promise<LeanAnswer>,
  ): Promise<LeanAnswer> {
    const requestId = requestIdOf(req, res);
    const context = { requestId, listener: route.listener, sourceIp: this.addressOf(req) };
    // Every line logged while serving it carries the request, as pino-http's child loggers do; the child
    // is made at the first line the level lets through, since most answers log none but their own
    // (docs/performance.md): at LOG_LEVEL=warn the audit trail's info line for each event is not one.
    const log = lazyStore(this.root, () => this.root.child({ req, request_id: requestId }));
    return storage.run(log, () =>
      RequestContextStore.run(context, async () => {
        // What Express's request adds that guards read: req.ip (AddressThrottleGuard's tracker) and
        // req.path (StaffGuard's audit row). The lean route matched the whole URL, no query: it is the path.
        Object.defineProperties(req, {
          ip: { value: context.sourceIp, configurable: true },
          path: { value: req.url, configurable: true },
        });
        const handler = (route.controller.prototype as Record<string, unknown>)[route.handler] as () => unknown;
        const host = new ExecutionContextHost([req, res], route.controller, handler);
        host.setType('http');
        try {
          for (const guard of this.guardsOf(route))
            if (!(await activates(guard, host))) throw new ForbiddenException(FORBIDDEN_MESSAGE);
          return await work(RequestContextStore.get()?.clientId);
        } catch (exception) {
          return envelopeOf(asLoggedPxError(exception, this.errors, this.config), requestId, localeOf(req));
        }
      }),
    );
  }

  /** The instances Nest's router runs for the route's controller, resolved once. */
  guardsOf(route: LeanRoute): CanActivate[] {
    let guards = this.resolved.get(route);
    if (!guards) {
      guards = route.guards.map((type) => guardInstance(this.modules, route.controller, type));
      this.resolved.set(route, guards);
    }
    return guards;
  }

  /** Express's req.ip: the address TRUST_PROXY trusts to name the client. */
  private addressOf(req: IncomingMessage): string {
    const express = this.adapter.httpAdapter.getInstance<{ get(name: string): unknown }>();
    return proxyAddr(req, express.get('trust proxy fn') as (addr: string, i: number) => boolean);
  }
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * nestjs-pino's Store, whose logger is made when a line is first logged at a level `root` writes
 * (PinoLogger calls a level's method on the store's logger, and `child` when it assigns fields);
 * until then a line at a level `root` drops costs nothing.
 */
export function lazyStore(root: Pino, make: () => Pino): Store {
  const store = new Store(undefined as unknown as Pino);
  let logger: Pino | undefined;
  const made = () => (logger ??= make());
  const stand = { child: (...args: Parameters<Pino['child']>) => made().child(...args) } as Record<string, unknown>;
  for (const level of LEVELS)
    stand[level] = (...args: Parameters<Pino['info']>) =>
      root.isLevelEnabled(level) ? made()[level](...args) : undefined;
  Object.defineProperty(store, 'logger', {
    get: () => logger ?? (stand as unknown as Pino),
    set: (l: Pino) => (logger = l),
    configurable: true,
    enumerable: true,
  });
  return store;
}

/** As Nest's GuardsConsumer: true, or a promise or observable of true, lets the request on. */
async function activates(guard: CanActivate, host: ExecutionContextHost): Promise<boolean> {
  const result = await guard.canActivate(host);
  return isObservable(result) ? lastValueFrom(result) : result;
}

/**
 * The guard's instance as Nest's router finds it: a controller's `@UseGuards` class among the injectables
 * of the controller's module, a global one among the APP_GUARD providers.
 */
export function guardInstance(modules: ModulesContainer, controller: Type, type: Type<CanActivate>): CanActivate {
  for (const module of modules.values()) {
    if (!module.controllers.has(controller)) continue;
    const own = module.injectables.get(type)?.instance as CanActivate | undefined;
    if (own) return own;
  }
  const global = globalEnhancers(modules, APP_GUARD).find((g): g is CanActivate => g instanceof type);
  if (global) return global;
  throw new Error(`${type.name} is not a guard Nest runs for ${controller.name}`);
}

/** The instances of APP_GUARD, APP_FILTER, APP_PIPE or APP_INTERCEPTOR providers, in the order Nest applies them. */
export function globalEnhancers(modules: ModulesContainer, token: string): object[] {
  const found: object[] = [];
  for (const module of modules.values())
    for (const [key, wrapper] of module.providers)
      // Nest registers each as `${token} (UUID: …)` (@nestjs/core/scanner.js, insertProvider).
      if (typeof key === 'string' && key.startsWith(`${token} (`) && wrapper.instance) found.push(wrapper.instance);
  return found;
}
