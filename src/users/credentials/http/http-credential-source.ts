import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { RequestContextStore } from '@/common/http/request-context';
import { UserRepository } from '@/users/user.repository';
import { CircuitBreaker } from '@/common/resilience/circuit-breaker';
import { CredentialCheck, CredentialSource, LoginAttempt } from '@/users/credentials/credential-source';
import { ShadowUsers } from '@/users/credentials/shadow-users';
import { isUnavailable, throughBreaker } from '@/users/credentials/upstream';
import { UpstreamClient } from './upstream-client';

/**
 * CREDENTIAL_SOURCE=http (docs/credential-sources.md): the bank's own endpoint judges the password. The
 * username is sent as Plaid gave it: the bank knows its own rules for case and spaces. pxauth does
 * the same work for an unknown username as for a wrong password (one call, one lookup), so neither
 * costs more on this side.
 */
@Injectable()
export class HttpCredentialSource implements CredentialSource, OnModuleDestroy {
  readonly name = 'http' as const;
  private readonly client: UpstreamClient;
  readonly breaker: CircuitBreaker;

  constructor(
    config: AppConfig,
    private readonly users: UserRepository,
    private readonly shadows: ShadowUsers,
  ) {
    this.client = new UpstreamClient(config);
    this.breaker = new CircuitBreaker(
      'credential_source',
      config.UPSTREAM_BREAKER_FAILURES,
      config.UPSTREAM_BREAKER_COOLDOWN,
    );
  }

  async verify({ key, username, password }: LoginAttempt): Promise<CredentialCheck> {
    const answer = await throughBreaker(this.breaker, () =>
      this.client.verify({
        username,
        password,
        institution_id: key.institutionId,
        request_id: RequestContextStore.get()?.requestId ?? null,
      }),
    );
    if (isUnavailable(answer)) return answer;
    if (answer.result !== 'valid') {
      // Attributed to the shadow user of that name, when there is one, for support staff.
      return { result: answer.result, user: await this.users.findByUsername(key.institutionId, key.usernameNorm) };
    }
    const user = await this.shadows.resolve('http', key, username, answer);
    if (answer.termsPending) return { result: 'not_allowed', user };
    return { result: 'valid', user, reference: answer.reference };
  }

  onModuleDestroy(): void {
    this.client.close();
  }
}
