import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { Hardening1764000000000 } from './1764000000000-hardening';
import { PartnerSecretSlot1764100000000 } from './1764100000000-partner-secret-slot';
import { AuditRequestIndex1764450000000 } from './1764450000000-audit-request-index';

/** In order. A new migration is added here and never edits an earlier one. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  Hardening1764000000000,
  PartnerSecretSlot1764100000000,
  AuditRequestIndex1764450000000,
];
