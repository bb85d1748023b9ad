import type { AppConfig } from '@/config/app-config';
import type { PoolSettings } from './data-source-options';

/** The pool, timeouts and TLS the settings ask for: the service's pool and the CLI's db:status open the same way. */
export function poolSettingsOf(config: AppConfig): PoolSettings {
  return {
    poolSize: config.DB_POOL_SIZE,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    ...(config.DATABASE_SSL_MODE && { ssl: { mode: config.DATABASE_SSL_MODE, caFile: config.DATABASE_SSL_CA } }),
  };
}
