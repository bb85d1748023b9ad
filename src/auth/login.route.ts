import { CanActivate, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import proxyAddr from 'proxy-addr';
import { asLoggedPxError, envelopeOf } from '@/common/errors/error.filter';
import type { LeanAnswer, LeanRoute } from '@/common/http/lean-route';
import { RequestContextStore } from '@/common/http/request-context';
import { requestIdOf } from '@/common/http/request-id';
import { localeOf } from '@/common/i18n/messages';
import { AppConfig } from '@/config/app-config';
import { PartnerGuard } from '@/partners/partner.guard';
import { AddressThrottleGuard, ClientThrottleGuard } from '@/throttle/throttle.guard';
import { AUTH_TOKEN_MAX, AuthTokenDto } from './auth.dto';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

// What AuthTokenDto accepts unchanged, and surely: printable ASCII within its lengths, no other field.
// Anything else (a Unicode username, an unknown field, a repeated key) is validated on the full path.
const PLAIN = /^[\x20-\x7e]+$/;

/**
 * `POST /users/auth_token` as a lean route (issue 10, goal 1; src/common/http/lean-route.ts): on a
 * two-core machine Express's router, five middleware layers, pino-http's per-request loggers, Nest's
 * guard and pipe machinery and class-validator cost more than the login itself. The plain case runs
 * the same parts in the controller's order, AuthController's own guards called with its class and
 * handler (so throttle counters are the same keys), then AuthService.login, the one login of every
 * path; its answers and errors are the controller's and the envelope's, byte for byte.
 *
 * It hands a request to the full pipeline only before anything was counted: a body that is not plain,
 * or a partner that PartnerGuard refuses (a read). From the throttles on it answers every outcome itself.
 */
@Injectable()
export class LoginRoute implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/users/auth_token';
  readonly listener = 'public' as const;
  private readonly errors = new Logger('Errors');

  constructor(
    private readonly auth: AuthService,
    private readonly partner: PartnerGuard,
    private readonly byAddress: AddressThrottleGuard,
    private readonly byClient: ClientThrottleGuard,
    private readonly adapter: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  async answer(
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<LeanAnswer | undefined> {
    const input = plainInput(body);
    if (!input) return undefined;
    const requestId = requestIdOf(req, res);
    const context = { requestId, listener: this.listener, sourceIp: this.addressOf(req) };
    // Every line logged while serving it carries the request, as pino-http's child loggers do.
    const log = new Store(PinoLogger.root.child({ req, request_id: requestId }));
    return storage.run(log, () =>
      RequestContextStore.run(context, async () => {
        // Express's req.ip, which AddressThrottleGuard reads as its tracker.
        Object.defineProperty(req, 'ip', { value: context.sourceIp, configurable: true });
        // The controller's class and handler, never called: the key of its guards' metadata and throttle counters.
        // eslint-disable-next-line @typescript-eslint/unbound-method
        const host = new ExecutionContextHost([req, res], AuthController, AuthController.prototype.authToken);
        host.setType('http');
        if (!(await passes(this.partner, host))) return undefined;
        try {
          for (const guard of [this.byAddress, this.byClient]) await guard.canActivate(host);
          const result = await this.auth.login(input, RequestContextStore.get()!.clientId!, localeOf(req));
          return { status: result.status, body: result.body };
        } catch (exception) {
          return envelopeOf(asLoggedPxError(exception, this.errors, this.config), requestId);
        }
      }),
    );
  }

  private addressOf(req: IncomingMessage): string {
    const express = this.adapter.httpAdapter.getInstance<{ get(name: string): unknown }>();
    return proxyAddr(req, express.get('trust proxy fn') as (addr: string, i: number) => boolean);
  }
}

/** The body as AuthTokenDto when it is plain; undefined when it is the DTO's to judge. */
function plainInput(body: Record<string, unknown>): AuthTokenDto | undefined {
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const max = AUTH_TOKEN_MAX[key as keyof typeof AUTH_TOKEN_MAX];
    if (max === undefined || typeof value !== 'string' || value.length > max || !PLAIN.test(value)) return undefined;
    input[key] = value;
  }
  return 'username' in input && 'password' in input ? (input as unknown as AuthTokenDto) : undefined;
}

/** A guard that only reads: refused, the full pipeline runs it again and answers in its place. */
async function passes(guard: CanActivate, host: ExecutionContextHost): Promise<boolean> {
  try {
    return (await guard.canActivate(host)) === true;
  } catch {
    return false;
  }
}
