import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { Hardening1764000000000 } from './1764000000000-hardening';
import { PartnerSecretSlot1764100000000 } from './1764100000000-partner-secret-slot';
import { CredentialSources1764300000000 } from './1764300000000-credential-sources';
import { ConsoleSession1764400000000 } from './1764400000000-console-session';
import { AuditRequestIndex1764450000000 } from './1764450000000-audit-request-index';
import { OAuth1764600000000 } from './1764600000000-oauth';
import { LegacyHashSetting1764750000000 } from './1764750000000-legacy-hash-setting';
import { PersonLock1764800000000 } from './1764800000000-person-lock';
import { TokenGrantEpoch1764700000000 } from './1764700000000-token-grant-epoch';
import { OAuthSignInEnded1764760000000 } from './1764760000000-oauth-sign-in-ended';
import { ConsoleOidc1764905000000 } from './1764905000000-console-oidc';
import { UserSearch1764910000000 } from './1764910000000-user-search';
import { AuditPath1764920000000 } from './1764920000000-audit-path';

/** In order. A new migration is added here and never edits an earlier one. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  Hardening1764000000000,
  PartnerSecretSlot1764100000000,
  CredentialSources1764300000000,
  ConsoleSession1764400000000,
  AuditRequestIndex1764450000000,
  OAuth1764600000000,
  TokenGrantEpoch1764700000000,
  LegacyHashSetting1764750000000,
  OAuthSignInEnded1764760000000,
  PersonLock1764800000000,
  ConsoleOidc1764905000000,
  UserSearch1764910000000,
  AuditPath1764920000000,
];
