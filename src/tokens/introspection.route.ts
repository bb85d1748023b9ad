import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { LeanAnswer, LeanRoute } from '@/common/http/lean-route';
import { bearerKey, mayCall } from '@/staff-auth/staff.guard';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffService } from '@/staff-auth/staff.service';
import { TokensService } from './tokens.service';

/** Who may introspect, on either path (TokensController's @Roles too). */
export const INTROSPECT_ROLES: StaffRole[] = ['resource-server', 'admin'];

// What IntrospectDto accepts without question: printable ASCII (our tokens and user ids are base64url)
// of its lengths. Anything else, even if valid, goes through the DTO's validation on the full path.
const PLAIN_TOKEN = /^[\x21-\x7e]{1,512}$/;
const PLAIN_USER_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * `POST /tokens/introspect` as a lean route (issue 10, src/common/http/lean-route.ts): the staff key from
 * StaffService's cache (STAFF_KEY_CACHE_MS), one indexed lookup by the token's digest, read from the
 * database on every call so that a revocation on any replica is seen at once. Its answer is
 * TokensController's, byte for byte; every other case is the controller's to answer.
 */
@Injectable()
export class IntrospectionRoute implements LeanRoute {
  readonly method = 'POST';
  readonly path = '/tokens/introspect';
  readonly listener = 'internal';

  constructor(
    private readonly staff: StaffService,
    private readonly tokens: TokensService,
  ) {}

  async answer(req: IncomingMessage, body: Record<string, unknown>): Promise<LeanAnswer | undefined> {
    const { token, user_id: userId } = body;
    if (typeof token !== 'string' || !PLAIN_TOKEN.test(token)) return undefined;
    if (userId !== undefined && (typeof userId !== 'string' || !PLAIN_USER_ID.test(userId))) return undefined;
    const key = bearerKey(req.headers.authorization);
    const row = key ? await this.staff.authenticate(key) : null;
    if (!row || !mayCall(row.role, INTROSPECT_ROLES)) return undefined;
    return { status: 200, body: await this.tokens.introspect(token, userId) };
  }
}
