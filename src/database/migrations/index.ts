import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { Hardening1764000000000 } from './1764000000000-hardening';

/** In order. A new migration is added here and never edits an earlier one. */
export const MIGRATIONS = [InitialSchema1763800000000, Hardening1764000000000];
