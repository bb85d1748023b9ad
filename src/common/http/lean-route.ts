import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PinoLogger } from 'nestjs-pino';
import { PxError } from '../errors/px.error';
import { MAX_BODY_BYTES, bodyTypeOf, keepReadBody, parseForm, parseJson, readText } from './body.middleware';
import type { Listener } from './request-context';
import { requestIdOf } from './request-id';

export interface LeanAnswer {
  status: number;
  body: unknown;
  /** Besides Content-Type and Content-Length (an error's Retry-After). */
  headers?: Record<string, string>;
}

/**
 * A route answered before Express and Nest see the request (issue 10): the bank's data API calls token
 * introspection on every one of its own requests, and Express's router, Nest's guards, pipes and
 * interceptors and class-validator cost several times the lookup itself. A lean route answers only its
 * plain case; anything else (a bad body, a missing or unknown key, a wrong role, a database error) it
 * hands to the full pipeline with the body it read, so every error keeps the one envelope and the one
 * code path that produces it.
 */
export interface LeanRoute {
  readonly method: 'POST';
  readonly path: string;
  readonly listener: Listener;
  /**
   * The answer for the plain case, or undefined to let the full pipeline answer: undefined only before
   * anything was counted or written, since the pipeline then does it all again. `res` is for headers
   * that must be set as the pipeline sets them (X-Request-Id, a throttle's); the body is written here.
   */
  answer(req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): Promise<LeanAnswer | undefined>;
}

/** Told of each answer a lean route wrote, as the metrics middleware is of the pipeline's. */
export type AnsweredHook = (route: LeanRoute, status: number, seconds: number) => void;

type Next = (req: IncomingMessage, res: ServerResponse) => void;

/** The lean routes of one listener, in front of Express (src/server.ts). */
export class LeanRoutes {
  constructor(
    private readonly routes: LeanRoute[],
    private readonly log: PinoLogger,
    private readonly onAnswered: AnsweredHook = () => undefined,
  ) {}

  /** Answers `req` if it is a lean route's plain case; otherwise `next` (Express) does. */
  serve(listener: Listener, req: IncomingMessage, res: ServerResponse, next: Next): void {
    const route = this.routes.find((r) => r.listener === listener && r.method === req.method && r.path === req.url);
    const length = Number(req.headers['content-length']);
    const type = bodyTypeOf(req);
    // Only a body of known, acceptable length and type is read here; the pipeline refuses the rest.
    if (!route || !(length > 0 && length <= MAX_BODY_BYTES) || !type) return next(req, res);
    void this.answer(route, type, req, res, next);
  }

  private async answer(
    route: LeanRoute,
    type: 'form' | 'json',
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let text: string;
    try {
      text = await readText(req);
    } catch (error) {
      keepReadBody(req, { error: error instanceof PxError ? error : PxError.invalid('The body could not be read.') });
      return next(req, res);
    }
    let answer: LeanAnswer | undefined;
    try {
      const body = type === 'json' ? parseJson(text) : parseForm(text);
      answer = await route.answer(req, body, res);
    } catch {
      // The pipeline parses again and answers the error as it would have, in its envelope.
      answer = undefined;
    }
    if (!answer) {
      keepReadBody(req, { text });
      return next(req, res);
    }
    const requestId = requestIdOf(req, res);
    const json = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...answer.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    res.end(json);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.onAnswered(route, answer.status, seconds);
    // The line pino-http writes for the pipeline's answers, with the same fields and level (src/logging.ts).
    this.log[answer.status >= 500 ? 'error' : 'info'](
      {
        req: { method: req.method, url: req.url },
        res: { statusCode: answer.status },
        request_id: requestId,
        responseTime: Math.round(seconds * 1000),
      },
      'request completed',
    );
  }
}
