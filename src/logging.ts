import type { LoggerService } from '@nestjs/common';
import { BUILD_INFO } from './common/build-info';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import type { AppConfig } from '@/config/app-config';
import { redactUrls } from '@/config/redact';
import { requestIdOf } from '@/common/http/request-id';

/**
 * pino through nestjs-pino: one line per event, each carrying the request id. Requests are
 * logged as method, path and status only; headers and bodies never, and the secret-bearing headers
 * are redacted besides, should anyone widen the serializers.
 */
export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
  // Readable on an operator's terminal, JSON lines for a log collector (LOG_FORMAT=auto).
  const pretty = config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && !stream && process.stdout.isTTY);
  if (pretty)
    stream = pinoPretty({
      colorize: !!process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      sync: true,
    });
  return {
    pinoHttp: [
      {
        level: config.LOG_LEVEL,
        genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
        // Bound to the request's child logger: every line logged while serving it carries the id.
        customProps: (req: IncomingMessage) => ({ request_id: (req as IncomingMessage & { id?: string }).id }),
        redact: {
          paths: ['req.headers.authorization', 'req.headers["x-plaid-secret"]', 'req.headers.cookie'],
          censor: '[redacted]',
        },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            method: req.method,
            path: String(req.url).split('?')[0],
          }),
          res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        },
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
          err || res.statusCode >= 500 ? 'error' : 'info',
      },
      stream as DestinationStream,
    ],
  };
}

/**
 * What an operator needs to know at start: where each listener is, which database (never
 * its password), which delivery and credential source, and whether this is the sandbox.
 */
export function startupSummary(
  config: AppConfig,
  urls: { public: string; internal: string; management?: string },
  credentialSource: string,
): Record<string, unknown> {
  return {
    version: BUILD_INFO.version,
    node: BUILD_INFO.node,
    public: urls.public,
    internal: urls.internal,
    management: urls.management ?? 'off',
    database: databaseOf(config.DATABASE_URL),
    delivery: config.OTP_DELIVERY,
    credential_source: credentialSource,
    sandbox: config.sandbox,
    throttle: { per_client: config.THROTTLE_PER_CLIENT, per_address: config.THROTTLE_PER_ADDRESS },
    throttle_store: config.REDIS_URL ? redisOf(config.REDIS_URL) : 'memory',
  };
}

function databaseOf(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  const u = new URL(url);
  return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

function redisOf(url: string): string {
  return redactUrls(url).replace(/\/\/[^@/]*@/, '//');
}

/**
 * The contexts of Nest's own start-up lines ("Starting Nest application", each module's dependencies,
 * each mapped route, "successfully started"): dozens of lines that say nothing to an operator.
 */
const NEST_BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's start-up lines at debug, so that at LOG_LEVEL=info a start shows pxauth's own lines (the
 * "pxauth started" summary) first. Only `log` is lowered: Nest's warnings and errors keep their level.
 */
export class NestBootAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    if (typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context)) this.inner.debug?.(message, ...params);
    else this.inner.log(message, ...params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}
