import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditTrail } from '@/audit/audit-trail.service';
import { AppConfig } from '@/config/app-config';
import { ChallengeService } from '@/challenge/challenge.service';
import { OutboxService } from '@/otp/delivery/outbox.service';
import { TokensService } from '@/tokens/tokens.service';
import { LockoutService } from '@/users/lockout/lockout.service';
import { OAuthCodes } from '@/oauth/oauth-codes.service';
import { SignIns } from '@/oauth/sign-ins';

export interface PurgeCounts {
  challenges: number;
  failure_counters: number;
  outbox: number;
  tokens: number;
  /** Expired authorization codes and sign-ins in progress. */
  oauth: number;
  audit_events: number;
}

/**
 * Keeps tables bounded: every PURGE_INTERVAL, expired challenges and spent codes, idle failure
 * counters, and old outbox messages and dead tokens go. Each step is one idempotent DELETE, so every
 * replica may run the job at once. Audit events go after AUDIT_RETENTION (400 days by default).
 */
@Injectable()
export class PurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Purge');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly challenges: ChallengeService,
    private readonly lockout: LockoutService,
    private readonly outbox: OutboxService,
    private readonly tokens: TokensService,
    private readonly codes: OAuthCodes,
    private readonly signIns: SignIns,
    private readonly audit: AuditTrail,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.PURGE_INTERVAL <= 0) return;
    this.timer = setInterval(
      () =>
        void this.runOnce().catch((err: Error) =>
          this.logger.warn({ reason: err.message }, 'purge failed; will retry'),
        ),
      this.config.PURGE_INTERVAL,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<PurgeCounts> {
    const retention = this.config.PURGE_RETENTION;
    const counts: PurgeCounts = {
      challenges: await this.challenges.purgeExpired(),
      failure_counters: await this.lockout.purgeStale(retention),
      outbox: await this.outbox.purgeOlderThan(retention),
      tokens: await this.tokens.purgeDead(retention),
      oauth: (await this.codes.purgeExpired()) + (await this.signIns.purgeExpired()),
      audit_events: await this.audit.purgeOlderThan(this.config.AUDIT_RETENTION),
    };
    this.logger.log(counts, 'purged');
    return counts;
  }
}
