import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { hostname } from 'node:os';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { DeliveryChannels } from '@/otp/delivery/delivery-channels';
import { CREDENTIAL_SOURCE, CredentialSource } from '@/users/credentials/credential-source';
import { formatTime } from './console-format';
import type { ConsoleLocale, Translate } from './console-i18n';

/** What may be wrong with the service right now, as the console's banners say it (docs/console.md, "Banners"). */
export interface ServiceTrouble {
  /** Maintenance mode, read from the database: the same on every replica. */
  maintenance: { retryAt: string | null; message: string | null } | null;
  /**
   * The open breakers of this process, by what they guard: `delivery_sms`, `delivery_voice`,
   * `delivery_email`, `source_http`, `source_ldap`. A breaker is per process, so these are this replica's view.
   */
  open: string[];
}

export type TroubleRequest = Request & { trouble?: ServiceTrouble };

/** One banner as the layout shows it: its sentences, and for a breaker whose view it is. */
export interface Banner {
  kind: 'maintenance' | 'breaker';
  lines: string[];
}

/** The name a replica goes by on its banners: the host (a pod's name in Kubernetes) and the process. */
const REPLICA = `${hostname()}, pid ${process.pid}`;

/** Reads the state the banners show, once per console page: one indexed SELECT and this process's breakers. */
@Injectable()
export class ServiceTroubleReader {
  private readonly log = new Logger('Console');

  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly delivery: DeliveryChannels,
    @Inject(CREDENTIAL_SOURCE) private readonly source: CredentialSource,
  ) {}

  async read(): Promise<ServiceTrouble> {
    const open = [...this.delivery.breakers].filter(([, b]) => b.open).map(([type]) => `delivery_${type}`);
    if (this.source.breaker?.open) open.push(`source_${this.source.name}`);
    try {
      const m = await this.maintenance.state();
      // A retry time gone by is not said: Plaid is then told a minute from now (MaintenanceService.closed).
      const retryAt = m.retry_at && Date.parse(m.retry_at) > Date.now() ? m.retry_at : null;
      return { maintenance: m.enabled ? { retryAt, message: m.message } : null, open };
    } catch (err) {
      // The page still answers (or says the database is away); a banner is not worth a failed page.
      this.log.warn({ reason: (err as Error).message }, 'maintenance mode could not be read for the console');
      return { maintenance: null, open };
    }
  }
}

/** Runs before the console's guards and handlers, so that every page, error pages too, has the state. */
@Injectable()
export class ServiceTroubleMiddleware implements NestMiddleware {
  constructor(private readonly reader: ServiceTroubleReader) {}

  async use(req: TroubleRequest, _res: Response, next: NextFunction): Promise<void> {
    if (!req.path.startsWith('/console/assets/')) req.trouble = await this.reader.read();
    next();
  }
}

/** The banners of a page, in the reader's language and time zone; none when all is well. */
export function bannersOf(
  trouble: ServiceTrouble | undefined,
  t: Translate,
  locale: ConsoleLocale,
  timeZone: string,
): Banner[] {
  if (!trouble) return [];
  const banners: Banner[] = [];
  const m = trouble.maintenance;
  if (m) {
    const lines = [
      m.retryAt
        ? t('banner.maintenanceUntil', { retry: formatTime(m.retryAt, locale, timeZone) })
        : t('banner.maintenance'),
      t('banner.maintenanceAdvice'),
    ];
    if (m.message) lines.push(t('banner.maintenanceMessage', { message: m.message }));
    banners.push({ kind: 'maintenance', lines });
  }
  for (const what of trouble.open)
    banners.push({ kind: 'breaker', lines: [t(`banner.${what}`), t('banner.replica', { replica: REPLICA })] });
  return banners;
}
