import type { CanActivate, Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PinoLogger } from 'nestjs-pino';
import { apiText, PxError } from '@/common/errors/px.error';
import {
  MAX_BODY_BYTES,
  bodyTypeOf,
  keepReadBody,
  parseForm,
  parseJson,
  readText,
} from '@/common/http/body.middleware';
import type { Listener } from '@/common/http/request-context';
import { requestIdOf } from '@/common/http/request-id';

export interface LeanAnswer {
  status: number;
  /** Written as JSON; undefined is an empty answer, as Nest's for a handler that returns nothing. */
  body: unknown;
  /** Besides Content-Type and Content-Length (an error's Retry-After). */
  headers?: Record<string, string>;
}

/**
 * A route answered before Express and Nest see the request (README, "Lean paths"): the bank's data API
 * calls token introspection on every one of its own requests, and Express's router, Nest's pipes and
 * interceptors and class-validator cost several times the lookup itself. A lean route takes only a plain body, one its
 * controller's DTO accepts unchanged; anything else it hands to the full pipeline with the body it read.
 * A plain body it answers itself, every outcome: it runs the controller's guards, Nest's own instances in
 * Nest's order, then the controller's service, and answers an error in the one envelope
 * (src/edge/guarded-call.ts).
 */
export interface LeanRoute {
  readonly method: 'POST';
  /** The controller's route, `:name` for a path parameter (src/edge/route-parity.ts compares it to Nest's). */
  readonly path: string;
  readonly listener: Listener;
  /** The controller and handler it answers for: its guards see them, as they do on the full pipeline. */
  readonly controller: Type;
  readonly handler: string;
  /** Nest's guards of that handler, global ones first, run in this order (src/edge/guarded-call.ts). */
  readonly guards: readonly Type<CanActivate>[];
  /**
   * Nest's filters, pipes and interceptors of that handler, by class name, each with what this path does
   * in its place: reproduced, or not run and why. src/edge/route-parity.ts holds both lists to Nest's.
   */
  readonly enhancers: Readonly<Record<string, string>>;
  /**
   * The answer for the plain case, or undefined to let the full pipeline answer: undefined only before
   * any guard ran (before anything was counted or written), since the pipeline then does it all again.
   * `res` is for headers that must be set as the pipeline sets them (X-Request-Id); the body is written here.
   * `params` are the path's parameters, each plain (PLAIN_PARAMETER).
   */
  answer(
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
    params: Record<string, string>,
  ): Promise<LeanAnswer | undefined>;
}

/** Told of each answer a lean route wrote, as the metrics middleware is of the pipeline's. */
export type AnsweredHook = (route: LeanRoute, status: number, seconds: number) => void;

type Next = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A path parameter a lean route takes: unreserved URL characters alone, as every id pxauth issues is, so
 * that nothing is percent-decoded here. Any other (an escape, a control character, a longer one) is the
 * pipeline's, which decodes and checks it (docs/api.md#requests-and-errors).
 */
const PLAIN_PARAMETER = '([A-Za-z0-9._~-]{1,64})';

interface Matcher {
  route: LeanRoute;
  pattern: RegExp;
  names: string[];
}

/** The route's path as a pattern of the whole URL: no query string, the case and the slashes as declared. */
function matcherOf(route: LeanRoute): Matcher {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return PLAIN_PARAMETER;
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** The lean routes of every listener, in front of Express (src/server.ts), unless FAST_PATHS is false. */
export class LeanRoutes {
  private readonly matchers: Matcher[];

  constructor(
    routes: LeanRoute[],
    private readonly log: PinoLogger,
    private readonly onAnswered: AnsweredHook = () => undefined,
  ) {
    this.matchers = routes.map(matcherOf);
  }

  /** Answers `req` if it is a lean route's plain case; otherwise `next` (Express) does. */
  serve(listener: Listener, req: IncomingMessage, res: ServerResponse, next: Next): void {
    let route: LeanRoute | undefined;
    let params: Record<string, string> = {};
    for (const m of this.matchers) {
      if (m.route.listener !== listener || m.route.method !== req.method) continue;
      const found = m.pattern.exec(req.url ?? '');
      if (!found) continue;
      route = m.route;
      params = Object.fromEntries(m.names.map((name, i) => [name, found[i + 1]]));
      break;
    }
    const length = Number(req.headers['content-length']);
    const type = bodyTypeOf(req);
    // Only a body of known, acceptable length and type is read here; the pipeline refuses the rest.
    if (!route || !(length > 0 && length <= MAX_BODY_BYTES) || !type) return next(req, res);
    void this.answer(route, params, type, req, res, next);
  }

  private async answer(
    route: LeanRoute,
    params: Record<string, string>,
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
      keepReadBody(req, {
        error: error instanceof PxError ? error : PxError.invalid(apiText('request.bodyUnreadable')),
      });
      return next(req, res);
    }
    let answer: LeanAnswer | undefined;
    try {
      const body = type === 'json' ? parseJson(text) : parseForm(text);
      answer = await route.answer(req, body, res, params);
    } catch {
      // The pipeline parses again and answers the error as it would have, in its envelope.
      answer = undefined;
    }
    if (!answer) {
      keepReadBody(req, { text });
      return next(req, res);
    }
    const requestId = requestIdOf(req, res);
    if (answer.body === undefined) {
      // As Express's res.send() with nothing to send: no Content-Type, an empty body.
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': 0 });
      res.end();
    } else {
      const json = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(json),
      });
      res.end(json);
    }
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
