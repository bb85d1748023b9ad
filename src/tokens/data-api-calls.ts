import type { GuardedRoutes } from '@/common/http/guarded';
import type { StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffGuard } from '@/staff-auth/staff.guard';

/**
 * The bank's data API (TokensController), on the internal listener, each call with a staff key. The fast
 * path of introspection (src/edge/introspection.fast-path.ts) runs these same guards.
 */
export const DATA_API_CALLS: GuardedRoutes = { listener: 'internal', guards: [StaffGuard] };

/** Who may introspect (TokensController's @Roles, read by StaffGuard on either path). */
export const INTROSPECT_ROLES: StaffRole[] = ['resource-server', 'admin'];
