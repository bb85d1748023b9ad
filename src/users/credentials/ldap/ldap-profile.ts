import type { Entry } from 'ldapts';
import type { AppConfig } from '@/config/app-config';
import type { SourceProfile } from '@/users/credentials/shadow-users';
import { UpstreamFailure } from '@/users/credentials/upstream';

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const first = (v: Entry[string] | undefined): string | Buffer | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The stable reference (LDAP_UNIQUE_ATTRIBUTE: entryUUID, or AD's binary objectGUID as hex) and, when
 * their attributes are configured, the phone (written with spaces or dashes in many directories, kept
 * only as E.164) and email. A configured attribute the entry lacks means none: the directory decides.
 */
export function profileOf(entry: Entry, c: AppConfig): SourceProfile {
  const id = first(entry[c.LDAP_UNIQUE_ATTRIBUTE]);
  const reference = Buffer.isBuffer(id) ? id.toString('hex') : id;
  if (!reference) throw new UpstreamFailure('malformed', `entry has no ${c.LDAP_UNIQUE_ATTRIBUTE}`);
  const profile: SourceProfile = { reference };
  if (c.LDAP_PHONE_ATTRIBUTE) {
    const raw = first(entry[c.LDAP_PHONE_ATTRIBUTE])
      ?.toString()
      .replace(/[\s().-]/g, '');
    profile.phone = raw && E164.test(raw) ? raw : null;
  }
  if (c.LDAP_EMAIL_ATTRIBUTE) {
    const raw = first(entry[c.LDAP_EMAIL_ATTRIBUTE])?.toString().trim();
    profile.email = raw && raw.length <= 254 && EMAIL.test(raw) ? raw : null;
  }
  return profile;
}
