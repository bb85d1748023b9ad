import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TwoFactorDto } from '@/auth/auth.dto';
import { AuthController } from '@/auth/auth.controller';
import { PLAID_CALLS } from '@/auth/plaid-calls';
import type { SendOtpDto } from '@/auth/send-otp.dto';
import { SendOtpService } from '@/auth/send-otp.service';
import { TwoFactorService } from '@/auth/two-factor.service';
import { GLOBAL_GUARDS } from '@/common/http/guarded';
import { GuardedCall } from './guarded-call';
import type { LeanAnswer, LeanRoute } from './lean-routes';

// What SendOtpDto and TwoFactorDto accept unchanged, and surely: printable ASCII of 1 to 64 characters
// (RequiredString(1, 64) of each field). Anything else is validated, and answered, on the full path.
const PLAIN = /^[\x20-\x7e]{1,64}$/;

/** The body's fields when each is a plain string and all are known and the required ones there; else undefined. */
function plainFields<T>(body: Record<string, unknown>, known: readonly string[], required: readonly string[]) {
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!known.includes(key) || typeof value !== 'string' || !PLAIN.test(value)) return undefined;
    input[key] = value;
  }
  return required.every((key) => key in input) ? (input as T) : undefined;
}

const ENHANCERS = {
  ErrorEnvelopeFilter: "reproduced: every error is answered by envelopeOf, the filter's own envelope",
  PxValidationPipe:
    'not run: only a body whose every field is a known one of the DTO, a printable ASCII string of 1 to 64 ' +
    'characters, is taken (no KBA answers); any other goes to the pipeline',
};

/**
 * `POST /users/:user_id/sendOtp` as a lean route (src/edge/lean-routes.ts): the answers Plaid asks again
 * most (an unknown challenge, an unknown user) cost Express's router, pino-http, Nest's pipes and
 * class-validator several times the lookups themselves (docs/performance.md). The plain case runs
 * AuthController's guards (PLAID_CALLS, after the global ones) with its class and handler, then
 * SendOtpService.send, the one send of the legacy path: every outcome, its audit row and error, is the
 * controller's, byte for byte; 200 with an empty body as Nest answers a handler that returns nothing.
 */
@Injectable()
export class SendOtpFastPath implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/users/:user_id/sendOtp';
  readonly listener = PLAID_CALLS.listener;
  readonly controller = AuthController;
  readonly handler = 'sendOtp';
  readonly guards = [...GLOBAL_GUARDS, ...PLAID_CALLS.guards];
  readonly enhancers = ENHANCERS;

  constructor(
    private readonly sendOtps: SendOtpService,
    private readonly call: GuardedCall,
  ) {}

  answer(
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
    params: Record<string, string>,
  ): Promise<LeanAnswer | undefined> {
    const input = plainFields<SendOtpDto>(body, ['challenge_id', 'send_method_id'], ['challenge_id', 'send_method_id']);
    if (!input) return Promise.resolve(undefined);
    return this.call.run(this, req, res, async (clientId) => {
      await this.sendOtps.send(params.user_id, input, clientId!);
      return { status: 200, body: undefined };
    });
  }
}

/**
 * `POST /users/:user_id/2fa` as a lean route, for a passcode (OTP and TOTP) or none: AuthController's
 * guards, then TwoFactorService.verify, every outcome the controller's (its refusals, lockout counts and
 * audit rows included). KBA answers, a list, are the pipeline's to validate.
 */
@Injectable()
export class TwoFactorFastPath implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/users/:user_id/2fa';
  readonly listener = PLAID_CALLS.listener;
  readonly controller = AuthController;
  readonly handler = 'verify';
  readonly guards = [...GLOBAL_GUARDS, ...PLAID_CALLS.guards];
  readonly enhancers = ENHANCERS;

  constructor(
    private readonly twoFactor: TwoFactorService,
    private readonly call: GuardedCall,
  ) {}

  answer(
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
    params: Record<string, string>,
  ): Promise<LeanAnswer | undefined> {
    const input = plainFields<TwoFactorDto>(body, ['challenge_id', 'passcode'], ['challenge_id']);
    if (!input) return Promise.resolve(undefined);
    return this.call.run(this, req, res, async (clientId) => ({
      status: 200,
      body: await this.twoFactor.verify(params.user_id, input, clientId!),
    }));
  }
}
