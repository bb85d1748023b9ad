import type { ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in BIGINT columns: the same integers on SQLite and
 * PostgreSQL, compared in SQL without date-function dialects. pg hands BIGINT back as a string.
 */
export const epochMs: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};
