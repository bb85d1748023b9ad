import { isEmail } from 'class-validator';
import { toE164 } from '@/users/phone';
import { importedHashProblem } from '@/users/password-hasher';
import { storedUsername } from '@/users/username';

/** The columns of a users:import file (docs/api.md#staff-api); `username` and one password column are required. */
export const IMPORT_COLUMNS = ['username', 'password', 'password_hash', 'phone', 'email', 'institution_id'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** A row that passed every check: either a clear password to hash, or a hash to store as given. */
export interface ImportRow {
  line: number;
  username: string;
  institutionId: string | null;
  password: string | null;
  passwordHash: string | null;
  phone: string | null;
  email: string | null;
}

export type Checked = { row: ImportRow } | { line: number; reason: string };

/** The header row, checked before any row is read: a misspelt column must not import users without phones. */
export function checkHeader(header: string[]): ImportColumn[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown column ${unknown.join(', ')}; the columns are ${IMPORT_COLUMNS.join(', ')}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`column ${twice} is given twice`);
  if (!names.includes('username')) throw new Error('the header needs a username column');
  if (!names.includes('password') && !names.includes('password_hash'))
    throw new Error('the header needs a password or a password_hash column');
  return names as ImportColumn[];
}

/** One data row, by line number, against the same rules as POST /admin/users; the first problem is its reason. */
export function checkRow(line: number, columns: ImportColumn[], fields: string[]): Checked {
  if (fields.length !== columns.length)
    return {
      line,
      reason: `has ${fields.length} fields, the header ${columns.length} (quote a field with a comma, as an argon2id hash has)`,
    };
  const v: Partial<Record<ImportColumn, string>> = {};
  columns.forEach((c, i) => {
    if (fields[i] !== '') v[c] = fields[i];
  });
  const username = v.username === undefined ? undefined : storedUsername(v.username);
  if (!username) return { line, reason: 'username: missing' };
  if (username.length > 256) return { line, reason: 'username: must be 1 to 256 characters' };
  if (v.password !== undefined && v.password_hash !== undefined)
    return { line, reason: 'give password or password_hash, not both' };
  if (v.password === undefined && v.password_hash === undefined)
    return { line, reason: 'password or password_hash: missing' };
  if (v.password !== undefined && v.password.length > 1024)
    return { line, reason: 'password: must be 1 to 1024 characters' };
  const hashProblem = v.password_hash === undefined ? null : importedHashProblem(v.password_hash);
  if (hashProblem) return { line, reason: hashProblem };
  // The same rule as the admin API and the CLI: a valid number of its country, stored as E.164.
  const phone = v.phone === undefined ? null : toE164(v.phone);
  if (v.phone !== undefined && !phone)
    return { line, reason: 'phone: must be a valid international number such as +14155550123' };
  if (v.email !== undefined && !(v.email.length <= 254 && isEmail(v.email)))
    return { line, reason: 'email: must be an email address' };
  if (v.institution_id !== undefined && v.institution_id.length > 64)
    return { line, reason: 'institution_id: must be 1 to 64 characters' };
  return {
    row: {
      line,
      username,
      institutionId: v.institution_id ?? null,
      password: v.password ?? null,
      passwordHash: v.password_hash ?? null,
      phone,
      email: v.email ?? null,
    },
  };
}
