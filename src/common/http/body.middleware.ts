import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import * as qs from 'qs';
import getRawBody from 'raw-body';
import { apiText, PxError } from '@/common/errors/px.error';

export const MAX_BODY_BYTES = 16 * 1024;
const MAX_DEPTH = 3;

/**
 * Bodies are form-encoded (what Plaid sends) or JSON (docs/api.md#requests-and-errors). KBA answers come as
 * `answers[0].question_id` or `answers[0][question_id]`; a repeated key becomes an array, which the
 * DTOs reject where a string is expected. Anything else is 400 INVALID_REQUEST naming what is wrong.
 */
@Injectable()
export class BodyMiddleware implements NestMiddleware {
  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    req.body = await readBody(req);
    next();
  }
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  const type = bodyTypeOf(req);
  if (!type) throw PxError.invalid(apiText('request.contentType'));
  const text = await readText(req);
  return type === 'json' ? parseJson(text) : parseForm(text);
}

/** The body's format from its Content-Type, or null for one that is not accepted. */
export function bodyTypeOf(req: IncomingMessage): 'form' | 'json' | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : null;
}

const PRE_READ = Symbol('pxauth.preReadBody');
type PreRead = { text: string } | { error: PxError };

/**
 * The body's text, read once. A lean route (src/edge/lean-routes.ts) that hands a request on to the full
 * pipeline has read it already: what it read, or the error reading it met, is kept on the request.
 */
export async function readText(req: IncomingMessage): Promise<string> {
  const pre = (req as IncomingMessage & { [PRE_READ]?: PreRead })[PRE_READ];
  if (pre) {
    if ('error' in pre) throw pre.error;
    return pre.text;
  }
  try {
    return await getRawBody(req, { limit: MAX_BODY_BYTES, encoding: 'utf-8' });
  } catch (e) {
    const tooLarge = (e as { type?: string }).type === 'entity.too.large';
    throw PxError.invalid(
      tooLarge ? apiText('request.bodyTooLarge', { max: MAX_BODY_BYTES }) : apiText('request.bodyUnreadable'),
    );
  }
}

/** Keeps what readText found, for the pipeline that answers the request after a lean route. */
export function keepReadBody(req: IncomingMessage, read: PreRead): void {
  (req as IncomingMessage & { [PRE_READ]?: PreRead })[PRE_READ] = read;
}

export function parseForm(text: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  try {
    parsed = qs.parse(text, {
      allowDots: true,
      depth: MAX_DEPTH,
      strictDepth: true,
      parameterLimit: 100,
      arrayLimit: 20,
      throwOnLimitExceeded: true,
      duplicates: 'combine',
      allowPrototypes: false,
      charset: 'utf-8',
    });
  } catch {
    throw PxError.invalid(apiText('request.formTooDeep'));
  }
  // Plaid's reference curl puts a whole query in one --data-urlencode, which encodes its '=' and '&':
  // the body then decodes to a single key with no value. Read that key as the form it was meant to be.
  const keys = Object.keys(parsed);
  if (keys.length === 1 && parsed[keys[0]] === '' && keys[0].includes('=')) return parseForm(keys[0]);
  return parsed;
}

export function parseJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw PxError.invalid(apiText('request.jsonInvalid'));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw PxError.invalid(apiText('request.jsonNotObject'));
  if (depthOf(parsed) > MAX_DEPTH + 1) throw PxError.invalid(apiText('request.jsonTooDeep'));
  return parsed as Record<string, unknown>;
}

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}
