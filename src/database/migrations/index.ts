import { InitialSchema1763800000000 } from './1763800000000-initial-schema';

/** In order. A new migration is added here and never edits an earlier one. */
export const MIGRATIONS = [InitialSchema1763800000000];
