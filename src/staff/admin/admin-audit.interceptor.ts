import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { EventType } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { auditedUserId, type StaffRequest } from '@/staff-auth/staff.guard';

/** Every admin call is an audit event naming the staff member (docs/api.md#staff-api). */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  constructor(private readonly events: DomainEvents) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<StaffRequest>();
    const record = (outcome: string) =>
      this.events
        .publish({
          type: EventType.AdminCall,
          outcome,
          userId: auditedUserId(req),
          detail: {
            method: req.method,
            route: (req.route as { path?: string } | undefined)?.path ?? req.path,
            staff_name: req.staff?.name,
            role: req.staff?.role,
          },
        })
        .catch(() => undefined);
    return next.handle().pipe(
      mergeMap((value: unknown) => from(record('ok').then(() => value))),
      catchError((err: { id?: string }) =>
        from(record(err?.id ?? 'error')).pipe(mergeMap(() => throwError(() => err))),
      ),
    );
  }
}
