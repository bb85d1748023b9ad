import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GLOBAL_GUARDS } from '@/common/http/guarded';
import { DATA_API_CALLS } from '@/tokens/data-api-calls';
import { TokensController } from '@/tokens/tokens.controller';
import { TokensService } from '@/tokens/tokens.service';
import { GuardedCall } from './guarded-call';
import type { LeanAnswer, LeanRoute } from './lean-routes';

// What IntrospectDto accepts without question: printable ASCII (our tokens and user ids are base64url)
// of its lengths. Anything else, even if valid, goes through the DTO's validation on the full path.
const PLAIN_TOKEN = /^[\x21-\x7e]{1,512}$/;
const PLAIN_USER_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * `POST /tokens/introspect` as a lean route (src/edge/lean-routes.ts): TokensController's guards
 * (DATA_API_CALLS: StaffGuard, its key from StaffService's cache, STAFF_KEY_CACHE_MS, and the handler's
 * roles), then one indexed lookup by the token's digest, read from the database on every call so that a
 * revocation on any replica is seen at once. Its answers are TokensController's and the envelope's, byte
 * for byte; a body that is not plain is the controller's to answer.
 */
@Injectable()
export class IntrospectionFastPath implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/tokens/introspect';
  readonly listener = DATA_API_CALLS.listener;
  readonly controller = TokensController;
  readonly handler = 'introspect';
  readonly guards = [...GLOBAL_GUARDS, ...DATA_API_CALLS.guards];
  readonly enhancers = {
    ErrorEnvelopeFilter: "reproduced: every error is answered by envelopeOf, the filter's own envelope",
    PxValidationPipe:
      'not run: only a body IntrospectDto accepts unchanged is taken (a printable ASCII token and user_id ' +
      'within its lengths); any other goes to the pipeline',
  };

  constructor(
    private readonly tokens: TokensService,
    private readonly call: GuardedCall,
  ) {}

  answer(req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): Promise<LeanAnswer | undefined> {
    const { token, user_id: userId } = body;
    if (typeof token !== 'string' || !PLAIN_TOKEN.test(token)) return Promise.resolve(undefined);
    if (userId !== undefined && (typeof userId !== 'string' || !PLAIN_USER_ID.test(userId)))
      return Promise.resolve(undefined);
    return this.call.run(this, req, res, async () => ({
      status: 200,
      body: await this.tokens.introspect(token, userId),
    }));
  }
}
