import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUTH_TOKEN_MAX, AuthTokenDto } from '@/auth/auth.dto';
import { AuthController } from '@/auth/auth.controller';
import { AuthService } from '@/auth/auth.service';
import { PLAID_CALLS } from '@/auth/plaid-calls';
import { GLOBAL_GUARDS } from '@/common/http/guarded';
import { localeOf } from '@/common/i18n/messages';
import { GuardedCall } from './guarded-call';
import type { LeanAnswer, LeanRoute } from './lean-routes';

// What AuthTokenDto accepts unchanged, and surely: printable ASCII within its lengths, no other field.
// Anything else (a Unicode username, an unknown field, a repeated key) is validated on the full path.
const PLAIN = /^[\x20-\x7e]+$/;

/**
 * `POST /users/auth_token` as a lean route (src/edge/lean-routes.ts): on a two-core machine Express's
 * router, five middleware layers, pino-http's per-request loggers, Nest's pipe machinery and
 * class-validator cost more than the login itself. The plain case runs AuthController's guards
 * (PLAID_CALLS, after the global ones) with its class and handler, so that throttle counters are the same
 * keys, then AuthService.login, the one login of every path; its answers and errors are the controller's
 * and the envelope's, byte for byte. It hands a request to the full pipeline only when the body is not plain.
 */
@Injectable()
export class LoginFastPath implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/users/auth_token';
  readonly listener = PLAID_CALLS.listener;
  readonly controller = AuthController;
  readonly handler = 'authToken';
  readonly guards = [...GLOBAL_GUARDS, ...PLAID_CALLS.guards];
  readonly enhancers = {
    ErrorEnvelopeFilter: "reproduced: every error is answered by envelopeOf, the filter's own envelope",
    PxValidationPipe:
      'not run: only a body AuthTokenDto accepts unchanged is taken (its fields alone, printable ASCII ' +
      'within its lengths); any other goes to the pipeline',
  };

  constructor(
    private readonly auth: AuthService,
    private readonly call: GuardedCall,
  ) {}

  answer(req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): Promise<LeanAnswer | undefined> {
    const input = plainInput(body);
    if (!input) return Promise.resolve(undefined);
    return this.call.run(this, req, res, async (clientId) => {
      const result = await this.auth.login(input, clientId!, localeOf(req));
      return { status: result.status, body: result.body };
    });
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
