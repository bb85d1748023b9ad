import { getMetadataStorage } from 'class-validator';
import { apiText, PxError } from '@/common/errors/px.error';

/**
 * Every query parameter is one plain string (docs/api.md#requests-and-errors: "repeated scalar fields, arrays or
 * objects where a string is expected ... are 400 INVALID_REQUEST with a message naming the field").
 *
 * Express 5 parses query strings with node:querystring (its default 'simple' parser, kept in
 * src/server.ts): a repeated key arrives as an array, and `username[]=x` or `username[a]=x` as a key
 * of its own. `whitelist: true` would strip such a key without a word, and the caller would get an
 * unfiltered list believing it filtered. So the shape is checked on the raw query, before validation.
 */

const IGNORES_UNKNOWN = Symbol('pxauth:ignores-unknown-query-parameters');

/**
 * On a query DTO: parameters it does not declare are ignored rather than refused. For the console's
 * pages (HTML, for people): any of them may carry `?lang=`, and a bookmark whatever it had. The JSON
 * API leaves it off, so that a caller's typo (`?usrname=`) is a 400 and not an unfiltered answer.
 */
export const IgnoresUnknownParameters = (): ClassDecorator => (target) => {
  Object.defineProperty(target, IGNORES_UNKNOWN, { value: true });
};

/** `@Query()` of a DTO: each parameter a single string, and (unless the DTO says otherwise) declared. */
export function checkQuery(query: unknown, dto: unknown): void {
  if (!query || typeof query !== 'object') return;
  const known = typeof dto === 'function' ? declaredBy(dto) : undefined;
  const strict = known !== undefined && !(dto as { [IGNORES_UNKNOWN]?: boolean })[IGNORES_UNKNOWN];
  for (const [key, value] of Object.entries(query)) {
    // `username[]` and `username[a]` are the bracket forms of `username`.
    const name = key.includes('[') ? key.slice(0, key.indexOf('[')) : key;
    const declared = known === undefined || known.has(name);
    if (declared && (name !== key || typeof value !== 'string')) throw notSingle(name);
    if (!declared && strict)
      throw PxError.invalid(apiText('query.unknown', { name: shown(name), known: [...known].join(', ') }));
  }
}

/** `@Query('name')`: one parameter by name. */
export function checkQueryValue(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw notSingle(name);
}

const notSingle = (name: string) => PxError.invalid(apiText('query.notSingle', { name: shown(name) }));

/** A name as the caller sent it, quoted when it is not a plain word (an empty key, markup, 2 KiB of it). */
function shown(name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : JSON.stringify(name.slice(0, 64));
}

const declaredCache = new WeakMap<object, Set<string> | undefined>();

/** The properties a DTO's class-validator decorators name, inherited ones included; none: not a DTO. */
function declaredBy(dto: object): Set<string> | undefined {
  if (!declaredCache.has(dto)) {
    const metas = getMetadataStorage().getTargetValidationMetadatas(dto as () => void, '', true, false);
    declaredCache.set(dto, metas.length ? new Set(metas.map((m) => m.propertyName)) : undefined);
  }
  return declaredCache.get(dto);
}
