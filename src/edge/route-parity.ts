import { RequestMethod, type Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, ModulesContainer } from '@nestjs/core';
import { globalEnhancers } from './guarded-call';
import type { LeanRoute } from './lean-routes';

const KINDS = [
  { kind: 'filter', token: APP_FILTER, metadata: EXCEPTION_FILTERS_METADATA },
  { kind: 'pipe', token: APP_PIPE, metadata: PIPES_METADATA },
  { kind: 'interceptor', token: APP_INTERCEPTOR, metadata: INTERCEPTORS_METADATA },
] as const;

/**
 * Where a lean route and the controller route it stands in for differ, as sentences (none: they agree).
 * Nest's side is read as its router reads it: the global enhancers (APP_GUARD, APP_FILTER, APP_PIPE,
 * APP_INTERCEPTOR), then the controller's metadata, then the handler's. Guards must be the same classes in
 * the same order; every filter, pipe and interceptor must be one the lean route says what it does about.
 */
export function routeDifferences(modules: ModulesContainer, route: LeanRoute): string[] {
  const handler = (route.controller.prototype as Record<string, object>)[route.handler];
  const differences: string[] = [];
  const at = `${route.method} ${route.path}`;
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  const path = `/${[Reflect.getMetadata(PATH_METADATA, route.controller), Reflect.getMetadata(PATH_METADATA, handler)]
    .map((p) => String(p ?? '').replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  if (method !== RequestMethod[route.method] || path !== route.path)
    differences.push(`${at}: ${route.controller.name}.${route.handler} is ${RequestMethod[method ?? -1]} ${path}`);

  const nestGuards = [
    ...globalEnhancers(modules, APP_GUARD).map((g) => g.constructor),
    ...declared(GUARDS_METADATA, route.controller, handler),
  ];
  if (nestGuards.length !== route.guards.length || nestGuards.some((g, i) => g !== route.guards[i]))
    differences.push(`${at}: Nest runs the guards ${names(nestGuards)}, the fast path ${names(route.guards)}`);

  for (const { kind, token, metadata } of KINDS) {
    const nest = [
      ...globalEnhancers(modules, token).map((e) => e.constructor),
      ...declared(metadata, route.controller, handler),
      ...(kind === 'pipe' ? parameterPipes(route.controller, route.handler) : []),
    ];
    for (const name of new Set(nest.map(nameOf)))
      if (!(name in route.enhancers))
        differences.push(
          `${at}: Nest applies the ${kind} ${name}; the fast path neither reproduces it nor says why not`,
        );
  }
  return differences;
}

/** An enhancer list of the controller, then of its handler, as classes (an instance by its class). */
function declared(key: string, controller: Type, handler: object): unknown[] {
  const of = (target: object) => ((Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []).map(classOf);
  return [...of(controller), ...of(handler)];
}

/** Pipes given to a parameter decorator, `@Body(SomePipe)`. */
function parameterPipes(controller: Type, handler: string): unknown[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
    string,
    { pipes?: unknown[] }
  >;
  return Object.values(args).flatMap((a) => (a.pipes ?? []).map(classOf));
}

function classOf(enhancer: unknown): unknown {
  return typeof enhancer === 'function' ? enhancer : (enhancer as object).constructor;
}

function nameOf(type: unknown): string {
  return (type as { name?: string }).name || String(type);
}

function names(types: readonly unknown[]): string {
  return `[${types.map(nameOf).join(', ')}]`;
}
