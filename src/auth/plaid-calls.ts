import type { GuardedRoutes } from '@/common/http/guarded';
import { PartnerGuard } from '@/partners/partner.guard';
import { AddressThrottleGuard, ClientThrottleGuard } from '@/throttle/throttle.guard';

/**
 * Every Plaid call (AuthController), on the public listener: throttled per address before the partner's
 * credentials are looked up, per client once they are known (README, "Under load"). The fast path of
 * auth_token (src/edge/login.fast-path.ts) runs these same guards.
 */
export const PLAID_CALLS: GuardedRoutes = {
  listener: 'public',
  guards: [AddressThrottleGuard, PartnerGuard, ClientThrottleGuard],
};
