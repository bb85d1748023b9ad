import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { EventType } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import type { ConsoleRequest } from './console-http';
import type { ConsoleStaff } from './console-session.service';

/**
 * Every console call, allowed or refused, is an audit event naming the staff member, as every admin
 * call is (docs/console.md), with the reason they gave when they gave one.
 */
@Injectable()
export class ConsoleAudit {
  constructor(private readonly events: DomainEvents) {}

  async record(
    req: ConsoleRequest,
    outcome: string,
    staff: Partial<ConsoleStaff> | undefined = req.console?.staff,
  ): Promise<void> {
    const body = req.body as Record<string, unknown> | undefined;
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 200) : undefined;
    await this.events.publish({
      type: EventType.AdminCall,
      outcome,
      userId: typeof req.params?.id === 'string' ? req.params.id : null,
      detail: {
        method: req.method,
        route: (req.route as { path?: string } | undefined)?.path ?? req.path,
        via: 'console',
        staff_name: staff?.name,
        role: staff?.role,
        ...(reason ? { reason } : {}),
      },
    });
  }
}

/** Records each call that reached its handler, with its outcome: `ok`, or the error id. */
@Injectable()
export class ConsoleAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: ConsoleAudit) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    return next.handle().pipe(
      mergeMap((value: unknown) => from(this.audit.record(req, 'ok').then(() => value))),
      catchError((err: { id?: string }) =>
        from(this.audit.record(req, err?.id ?? 'error')).pipe(mergeMap(() => throwError(() => err))),
      ),
    );
  }
}
