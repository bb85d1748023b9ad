import type { AppConfig } from './app-config';

// Checked at start beside the validators: rules that span settings, for keys and for TLS to the database.

/** A key given one way, as one key or as a list, and no key listed twice. */
export function keyListProblems(c: AppConfig): string[] {
  const problems: string[] = [];
  if (c.ENCRYPTION_KEY && c.ENCRYPTION_KEYS)
    problems.push('ENCRYPTION_KEY and ENCRYPTION_KEYS: both are set; give the keys one way');
  if (c.ENCRYPTION_KEYS && !c.ENCRYPTION_KEYS.length) problems.push('ENCRYPTION_KEYS: lists no key');
  const keys = (c.ENCRYPTION_KEYS ?? []).map((k) => (/^[0-9a-fA-F]{64}$/.test(k) ? k.toLowerCase() : k));
  if (new Set(keys).size !== keys.length) problems.push('ENCRYPTION_KEYS: a key is listed twice');
  if (c.ID_TOKEN_KEY && c.ID_TOKEN_KEYS)
    problems.push('ID_TOKEN_KEY and ID_TOKEN_KEYS: both are set; give the keys one way');
  return problems;
}

/** DATABASE_SSL_MODE and DATABASE_SSL_CA make sense for PostgreSQL alone, given one way, the CA with `verify-full`. */
export function databaseTlsProblems(c: AppConfig): string[] {
  const problems: string[] = [];
  if (!c.DATABASE_SSL_MODE && !c.DATABASE_SSL_CA) return problems;
  if (c.DATABASE_URL.startsWith('sqlite:')) problems.push('DATABASE_SSL_MODE and DATABASE_SSL_CA: for PostgreSQL only');
  if (/[?&](sslmode|sslrootcert|ssl)=/i.test(c.DATABASE_URL))
    problems.push('DATABASE_SSL_MODE: DATABASE_URL has TLS parameters of its own; give TLS one way');
  if (c.DATABASE_SSL_CA && c.DATABASE_SSL_MODE !== 'verify-full')
    problems.push(
      'DATABASE_SSL_CA: needs DATABASE_SSL_MODE=verify-full (a CA that nothing checks against is a mistake)',
    );
  return problems;
}
