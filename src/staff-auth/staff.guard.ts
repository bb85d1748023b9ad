import { CanActivate, ExecutionContext, Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { EventType } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { RequestContextStore } from '@/common/http/request-context';
import type { StaffRole } from './staff-key.entity';
import { StaffService } from './staff.service';

const ROLES = 'pxauth:roles';
/** The roles that may call a route; `admin` may do everything (docs/api.md#staff-api). */
export const Roles = (...roles: StaffRole[]) =>
  applyDecorators(SetMetadata(ROLES, roles), ApiBearerAuth('staff-key'), ApiExtension('x-pxauth-roles', roles));

/** The staff key in an `Authorization: Bearer` header, or null. */
export function bearerKey(authorization: string | undefined): string | null {
  return /^Bearer\s+(\S{1,256})$/i.exec(authorization ?? '')?.[1] ?? null;
}

/** Whether a key of `role` may call a route open to `allowed`: `admin` may call every route. */
export function mayCall(role: StaffRole, allowed: readonly StaffRole[]): boolean {
  return role === 'admin' || allowed.includes(role);
}

export type StaffRequest = Request & { staff?: { id: string; name: string; role: StaffRole } };

/**
 * The user an admin call is about, for its audit row. `:id` is whatever the caller typed, and the
 * row's user_id is varchar(32): an id of another shape cannot be a user's (ours are base64url), so
 * the event names no user rather than failing to be written.
 */
export function auditedUserId(req: Request): string | null {
  const id: unknown = req.params?.id;
  return typeof id === 'string' && req.path.startsWith('/admin/users/') && /^[A-Za-z0-9_-]{1,32}$/.test(id) ? id : null;
}

@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly staff: StaffService,
    private readonly reflector: Reflector,
    private readonly events: DomainEvents,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<StaffRequest>();
    const key = bearerKey(req.headers.authorization);
    const row = key ? await this.staff.authenticate(key) : null;
    if (!row) throw new PxError(ErrorId.UNAUTHORIZED);
    req.staff = { id: row.id, name: row.name, role: row.role };
    const ctx = RequestContextStore.get();
    if (ctx) ctx.staffId = row.id;
    const allowed = this.reflector.getAllAndOverride<StaffRole[]>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]) ?? ['admin'];
    if (!mayCall(row.role, allowed)) {
      // A refused call is an admin call too (docs/api.md#staff-api): the staff member is known by now.
      await this.events.publish({
        type: EventType.AdminCall,
        outcome: ErrorId.FORBIDDEN,
        userId: auditedUserId(req),
        detail: {
          method: req.method,
          route: (req.route as { path?: string } | undefined)?.path ?? req.path,
          staff_name: row.name,
          role: row.role,
        },
      });
      throw new PxError(ErrorId.FORBIDDEN);
    }
    return true;
  }
}
