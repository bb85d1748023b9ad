import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { AuditService } from '@/audit/audit.service';
import { auditedUserId, type StaffRequest } from '../staff.guard';

/** Every admin call is an audit event naming the staff member (PRODUCT.md section 9). */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<StaffRequest>();
    const record = (outcome: string) =>
      this.audit
        .record({
          type: 'admin_call',
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
