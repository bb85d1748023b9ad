/** A unique-key violation, on SQLite (better-sqlite3) or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

// PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention: shutdown,
// statement timeout), 40001/40P01 (serialization, deadlock); Node's socket errors; SQLite's busy/IO.
const UNAVAILABLE_CODES =
  /^(08|53|57|40001|40P01|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_FULL)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection is not established|Cannot use a pool after calling end|connect ECONNREFUSED|the database system is (starting up|shutting down)/i;

/** The database could not answer (down, unreachable, overloaded, timed out): a 503, not a 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  if (code && UNAVAILABLE_CODES.test(code)) return true;
  const e = err as { message?: string; driverError?: { message?: string } };
  const message = `${e?.message ?? ''} ${e?.driverError?.message ?? ''}`;
  return UNAVAILABLE_MESSAGES.test(message);
}

// PostgreSQL SQLSTATE class 22, data exception: a value the column or type cannot take (22001 string
// too long for varchar(n), 22021 a NUL or an invalid byte sequence, 22P02 invalid text representation,
// 22003 number out of range, 22007/22008 bad datetime). SQLite enforces no lengths and stores NUL;
// what it refuses of a value is SQLITE_TOOBIG (over its length limit) and SQLITE_MISMATCH (a type
// its column cannot take).
const INVALID_INPUT_CODES = /^(22[0-9A-Z]{3}$|SQLITE_TOOBIG|SQLITE_MISMATCH)/;

/**
 * The database refused a value rather than failed: caused by the caller's input that
 * validation let through, so a 400, never a 500. The last line of defence: the DTOs and the
 * username rules are meant to stop such values before any query.
 */
export function isInvalidInput(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && INVALID_INPUT_CODES.test(code);
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Masks, in place, what `redact` masks in an error's message, stack and other string fields (and in
 * its driver error's): a connection error is logged on every retry at start and then printed by the
 * process, and must not carry the DATABASE_URL password there. In place, so that its class
 * and code still tell an outage from a bug.
 */
export function redactError<T>(err: T, redact: (text: string) => string): T {
  const seen = new Set<object>();
  const visit = (e: unknown) => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return;
    seen.add(e);
    const fields = e as Record<string, unknown>;
    for (const key of new Set([...Object.getOwnPropertyNames(e), 'message', 'stack'])) {
      const v = fields[key];
      if (typeof v === 'string') fields[key] = redact(v);
      else if (key === 'driverError' || key === 'cause') visit(v);
    }
  };
  visit(err);
  return err;
}
