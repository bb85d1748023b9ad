import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '@/config/app-config';
import { requestIdOf } from '@/common/http/request-id';

/**
 * pino through nestjs-pino: one JSON line per event, each carrying the request id. Requests are
 * logged as method, path and status only; headers and bodies never, and the secret-bearing headers
 * are redacted besides, should anyone widen the serializers.
 */
export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
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
