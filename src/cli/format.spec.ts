import type { UserView } from '@/staff/admin/user-view';
import { userText } from './format';

describe('userText', () => {
  const view = (source: UserView['source']): UserView => ({
    user_id: 'u1',
    username: 'alice',
    institution_id: 'default',
    source,
    lock: {
      locked: false,
      permanent: false,
      until: null,
      reason: null,
      since: null,
      consecutive_failures: 0,
      attempts_in_flight: 0,
      locks_in_a_row: 0,
    },
    factors: { otp: [], totp: false, kba: [] },
    mfa_preference: null,
    terms: { accepted_version: 1, current_version: 1, pending: false },
    created_at: '2026-11-23T00:00:00.000Z',
    updated_at: '2026-11-23T00:00:00.000Z',
  });

  it('says where the user comes from: local, or the source and its reference', () => {
    expect(userText(view({ kind: 'local', reference: null }))).toMatch(/^source:\s+local$/m);
    expect(userText(view({ kind: 'ldap', reference: '1ce1b9b2-7b79' }))).toMatch(
      /^source:\s+ldap \(reference 1ce1b9b2-7b79\)$/m,
    );
  });
});
