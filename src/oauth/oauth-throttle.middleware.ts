import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import { ThrottlerStorage, getStorageToken } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { listenerOf } from '@/common/http/listener';
import { localeOf } from '@/common/i18n/messages';
import { AppConfig } from '@/config/app-config';
import { EventType, ThrottleOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { pageTexts } from './page-texts';
import { Pages } from './pages';

// A minute, not THROTTLE_PER_ADDRESS's second: a person signs in with a few requests a minute, and a
// limit of this length stops a steady flood that a per-second one lets through at its full rate.
export const OAUTH_THROTTLE_WINDOW_MS = 60_000;

/**
 * The default per-address limit of the OAuth endpoints, counted before anything is parsed, read or
 * checked (OWASP ASVS 5.0 V2.4, anti-automation): past it 429 with Retry-After (RFC 6585 4), so a throttled
 * request costs one counter increment. The counters are the throttle module's, in Redis when REDIS_URL is
 * set, so the limit holds across replicas; a store that fails lets the request through, logged, as the
 * legacy throttle does. Only the public listener counts (the internal one has no OAuth routes).
 */
abstract class OAuthThrottle implements NestMiddleware {
  protected abstract readonly bucket: string;
  protected abstract limit(): number;
  protected abstract refuse(req: Request, res: Response, retryAfterSeconds: number): void;

  private readonly log = new Logger('Throttle');
  @Inject(getStorageToken()) private readonly storage: ThrottlerStorage;
  @Inject(DomainEvents) private readonly events: DomainEvents;

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const limit = this.limit();
    if (limit <= 0 || listenerOf(req) !== 'public') return next();
    let blocked: number | null = null;
    try {
      const key = `pxauth:throttle:${this.bucket}:${String(req.ip)}`;
      const w = OAUTH_THROTTLE_WINDOW_MS;
      const r = await this.storage.increment(key, w, limit, w, this.bucket);
      if (r.isBlocked) blocked = Math.max(1, r.timeToBlockExpire);
    } catch (err) {
      this.log.warn({ scope: this.bucket, reason: (err as Error)?.message }, 'throttle store unavailable; not limited');
    }
    if (blocked === null) return next();
    await this.events.publish({ type: EventType.Throttle, outcome: ThrottleOutcome.PerAddress });
    res.setHeader('Retry-After', String(blocked));
    this.refuse(req, res, blocked);
  }
}

/** OAUTH_THROTTLE_PER_ADDRESS: the authorize endpoint and the sign-in pages' forms answer a page. */
@Injectable()
export class SignInPagesThrottle extends OAuthThrottle {
  protected readonly bucket = 'oauth-pages';

  constructor(
    private readonly config: AppConfig,
    private readonly pages: Pages,
  ) {
    super();
  }

  protected limit(): number {
    return this.config.OAUTH_THROTTLE_PER_ADDRESS;
  }

  /** In the language the browser asks for: the sign-in's own would cost a read of its cookie. */
  protected refuse(req: Request, res: Response): void {
    const t = pageTexts(localeOf(req));
    this.pages.render(res, { status: 429, view: 'notice', title: t.busyTitle, message: t.busyText, t });
  }
}

/** OAUTH_TOKEN_THROTTLE_PER_ADDRESS: /oauth2/token answers in its own format (RFC 6749 5.2). */
@Injectable()
export class TokenThrottle extends OAuthThrottle {
  protected readonly bucket = 'oauth-token';

  constructor(private readonly config: AppConfig) {
    super();
  }

  protected limit(): number {
    return this.config.OAUTH_TOKEN_THROTTLE_PER_ADDRESS;
  }

  protected refuse(_req: Request, res: Response, retryAfterSeconds: number): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.status(429).json({
      error: 'temporarily_unavailable',
      error_description: 'Too many requests from this address; retry after the time in Retry-After.',
      retry_at: new Date(Date.now() + retryAfterSeconds * 1_000).toISOString(),
    });
  }
}
