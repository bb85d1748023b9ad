import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { validate } from '@readme/openapi-parser';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LISTENER_KEY } from '@/common/http/listener.guard';
import type { Listener } from '@/common/http/request-context';
import { TestApp } from './support/harness';

/**
 * The OpenAPI documents against the application itself: each is valid OpenAPI (a real validator,
 * @readme/openapi-parser), each listener's document holds every route Nest serves on that listener
 * (so a new route without documentation fails here) and nothing else, and every request body and query
 * DTO is documented field for field, with the fields its validation requires marked required.
 */

interface Route {
  method: string;
  /** As OpenAPI writes it: /admin/users/{id}. */
  path: string;
  listeners: Listener[];
  controller: Type;
  handler: string;
}

const ALL: Listener[] = ['public', 'internal', 'management'];

/** Every route of every controller Nest loaded, from the metadata its decorators left. */
function nestRoutes(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.px.app.get(ModulesContainer).values())
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type;
      const base = [Reflect.getMetadata(PATH_METADATA, controller)].flat()[0] as string;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const fn = (controller.prototype as Record<string, unknown>)[handler] as object;
        const path = handler === 'constructor' ? undefined : (Reflect.getMetadata(PATH_METADATA, fn) as string);
        if (path === undefined) continue;
        const joined = `/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        const listeners = (Reflect.getMetadata(LISTENER_KEY, fn) ??
          Reflect.getMetadata(LISTENER_KEY, controller) ??
          ALL) as Listener[];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as number];
        routes.push({ method, path: joined.replace(/:(\w+)/g, '{$1}'), listeners, controller, handler });
      }
    }
  return routes;
}

/** Express's own table: what the listeners really route, whoever registered it. */
function expressRoutes(t: TestApp): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> } };
  const express = t.px.app.getHttpAdapter().getInstance() as unknown as { router: { stack: Layer[] } };
  // AppModule's middleware mount (forRoutes('{*path}')) is a route of every method to Express: not an answer.
  return (
    express.router.stack
      .filter((l) => l.route && l.route.path !== '/{*path}')
      // The console's banner middleware (forRoutes of its controllers) mounts each path again with a trailing
      // slash: the same route to a client.
      .flatMap((l) =>
        Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/(.)\/$/, '$1')}`),
      )
  );
}

/** Routes no document holds, each with its reason: not an API a program calls. */
const ABSENT: [RegExp, string][] = [
  [/^GET \/metrics$/, "Prometheus' text format for a scraper"],
  [/^GET \/openapi(\.json|\/admin\.json)$/, 'the documents themselves'],
  [/^(GET|POST) \/console(\/|$)/, "the staff console: HTML pages and forms for a person's browser"],
];
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const operations = (doc: any): string[] =>
  Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));

describe('OpenAPI documents and the routes they describe', () => {
  let t: TestApp;
  let docs: { public: any; internal: any };
  let routes: Route[];
  beforeAll(async () => {
    t = await TestApp.start();
    const [p, a] = await Promise.all([
      request(t.px.internalServer).get('/openapi.json'),
      request(t.px.internalServer).get('/openapi/admin.json'),
    ]);
    expect([p.status, a.status]).toEqual([200, 200]);
    docs = { public: p.body, internal: a.body };
    routes = nestRoutes(t);
  });
  afterAll(() => t?.stop());

  it('are valid OpenAPI 3, each as served', async () => {
    for (const [name, doc] of Object.entries(docs)) {
      expect([name, doc.openapi]).toEqual([name, expect.stringMatching(/^3\.[01]\./)]);
      const result = await validate(structuredClone(doc));
      expect([name, result.valid ? [] : result.errors.map((e) => e.message)]).toEqual([name, []]);
    }
  });

  it('the validator refuses a broken copy: a response without its description, a path parameter undeclared', async () => {
    const noDescription = structuredClone(docs.internal);
    delete noDescription.paths['/admin/users/{id}'].get.responses['200'].description;
    const undeclared = structuredClone(docs.public);
    undeclared.paths['/users/{user_id}/2fa'].post.parameters = undeclared.paths[
      '/users/{user_id}/2fa'
    ].post.parameters.filter((p: any) => p.in !== 'path');
    for (const broken of [noDescription, undeclared]) {
      const result = await validate(broken);
      expect(result.valid).toBe(false);
    }
  });

  it("give package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect([docs.public.info.version, docs.internal.info.version]).toEqual([pkg.version, pkg.version]);
  });

  it("list Nest's routes as Express routes them, so that the tests below see every route", () => {
    const nest = routes.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`);
    expect([...new Set(expressRoutes(t))].sort()).toEqual([...new Set(nest)].sort());
    expect(routes.length).toBeGreaterThan(40);
  });

  it("hold every route of their listener, or it is absent for a stated reason, and no route of another's", () => {
    for (const listener of ['public', 'internal'] as const) {
      const served = routes.filter((r) => r.listeners.includes(listener)).map(key);
      const documented = operations(docs[listener]);
      const absent = served.filter((r) => ABSENT.some(([re]) => re.test(r)));
      expect([listener, served.filter((r) => !documented.includes(r) && !absent.includes(r))]).toEqual([listener, []]);
      expect([listener, documented.filter((r) => !served.includes(r))]).toEqual([listener, []]);
      expect([listener, absent.filter((r) => documented.includes(r))]).toEqual([listener, []]);
    }
    // The management listener has no document: the probes it serves are in the internal listener's.
    const management = routes.filter((r) => r.listeners.includes('management')).map(key);
    expect(management.sort()).toEqual(['GET /healthz', 'GET /metrics', 'GET /readyz']);
    for (const r of management.filter((m) => !ABSENT.some(([re]) => re.test(m))))
      expect([r, operations(docs.internal).includes(r)]).toEqual([r, true]);
    // Each reason still names a route: a stale one fails.
    for (const [re, reason] of ABSENT) expect([reason, routes.some((r) => re.test(key(r)))]).toEqual([reason, true]);
  });

  it('document every body and query DTO field for field, nested ones too, with what validation requires required', () => {
    let checked = 0;
    for (const r of routes) {
      const doc = docs[r.listeners.includes('public') ? 'public' : 'internal'];
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      if (!op) continue;
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, r.controller, r.handler) ?? {}) as Record<
        string,
        { index: number }
      >;
      const types = Reflect.getMetadata('design:paramtypes', r.controller.prototype, r.handler) as Type[];
      for (const [argKey, { index }] of Object.entries(args)) {
        const kind = Number(argKey.split(':')[0]) as RouteParamtypes;
        if (kind !== RouteParamtypes.BODY && kind !== RouteParamtypes.QUERY) continue;
        const dto = types[index];
        const at = `${key(r)} ${dto.name}`;
        if (kind === RouteParamtypes.QUERY) {
          const { fields, required } = rulesOf(dto);
          expect([at, fields.length > 0]).toEqual([at, true]);
          const params = (op.parameters ?? []).filter((p: any) => p.in === 'query');
          const names = (ps: any[]) => ps.map((p: any) => p.name as string).sort();
          expect([at, names(params)]).toEqual([at, fields]);
          expect([at, names(params.filter((p: any) => p.required))]).toEqual([at, required]);
        } else
          for (const [type, media] of Object.entries<any>(op.requestBody.content))
            matchesDto(doc, media.schema, dto, `${at} ${type}`);
        checked++;
      }
    }
    // Plaid's three, introspection and revocation, and the admin API's bodies and queries.
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});

/** A DTO's validated fields, and those that no @IsOptional makes optional. */
function rulesOf(dto: Type): { fields: string[]; required: string[]; nested: string[] } {
  const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const fields = [...new Set(rules.map((m) => m.propertyName))].sort();
  const optional = new Set(rules.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName));
  const nested = [...new Set(rules.filter((m) => m.type === 'nestedValidation').map((m) => m.propertyName))];
  return { fields, required: fields.filter((f) => !optional.has(f)), nested };
}

/** The schema has the DTO's fields, its required ones required, and so for each nested DTO (@ValidateNested). */
function matchesDto(doc: any, ref: { $ref?: string }, dto: Type, at: string): void {
  const schema = doc.components.schemas[String(ref.$ref).split('/').pop()!];
  const { fields, required, nested } = rulesOf(dto);
  expect([at, fields.length > 0, Object.keys(schema?.properties ?? {}).sort()]).toEqual([at, true, fields]);
  expect([at, [...(schema.required ?? [])].sort()]).toEqual([at, required]);
  for (const field of nested) {
    // The class its @Type names, as the validation pipe builds it from a request's body.
    const built = (plainToInstance(dto, { [field]: [{}] }) as Record<string, unknown[]>)[field];
    const inner = (built[0] as object).constructor as Type;
    expect([at, field, inner === Object]).toEqual([at, field, false]);
    const property = schema.properties[field];
    matchesDto(doc, property.items ?? property, inner, `${at}.${field}`);
  }
}
