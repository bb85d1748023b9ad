import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ErrorId, statusOf } from '@/common/errors/error-id';
import { TestApp } from './support/harness';

/**
 * The OpenAPI documents generated from the code, on the internal listener, checked against Plaid's
 * reference for the three endpoints it calls (https://plaid.com/exchange/docs/authentication/, as
 * test/fixtures/plaid-reference.json holds it: request fields, statuses, response fields at every depth)
 * and against the error table of docs/api.md. Everything it reads is in the repository, so a bank's clone
 * runs it as it is; test/fixtures/refresh-plaid-reference.js holds the fixture against Plaid's page.
 */

type Fields = { fields: string[]; values?: Record<string, string[]>; note?: string };
type PlaidEndpoint = {
  request: { path: string[]; bodies: (Fields & { name: string | null; required: string[] })[] };
  /** Each status's fields; a 202 gives one body of several instead ('one_of'), each with its fields. */
  responses: Record<string, Partial<Fields> & { one_of?: (Fields & { name: string })[] }>;
};
const PLAID = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'plaid-reference.json'), 'utf8')) as {
  endpoints: Record<string, PlaidEndpoint>;
};
const API_DOC = readFileSync(join(__dirname, '..', 'docs', 'api.md'), 'utf8');

/** What Plaid's reference says of one endpoint, by its heading there ('POST /users/auth_token'). */
function plaid(heading: string): PlaidEndpoint {
  const endpoint = PLAID.endpoints[heading];
  expect([heading, !!endpoint]).toEqual([heading, true]);
  return endpoint;
}
/** A field's own name: 'text' for 'answers[].text'. */
const leaf = (path: string) => path.split('.').pop()!.replace('[]', '');
const statusesIn = (heading: string) => Object.keys(plaid(heading).responses).map(Number);
const requestFieldsIn = (heading: string) => [...new Set(plaid(heading).request.bodies.flatMap((b) => b.fields))];
/** The fields every one of Plaid's bodies for that endpoint marks as required. */
const requiredIn = (heading: string) => {
  const bodies = plaid(heading).request.bodies;
  return bodies[0].required.filter((f) => bodies.every((b) => b.required.includes(f)));
};
/** Every response field name Plaid gives for that endpoint, whatever the status or the depth. */
const responseNamesIn = (heading: string) =>
  new Set(
    Object.values(plaid(heading).responses)
      .flatMap((r) => [r, ...(r.one_of ?? [])])
      .flatMap((r) => (r.fields ?? []).map(leaf)),
  );

/** The error table of docs/api.md (heading "Error ids"): error id -> status. */
function documentedErrors(): Map<string, number> {
  const start = API_DOC.indexOf('\n### Error ids\n');
  expect(start).toBeGreaterThan(0);
  const api = API_DOC.slice(start, API_DOC.indexOf('\n#', start + 1));
  return new Map([...api.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)].map((m) => [m[2], Number(m[1])]));
}

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  [k: string]: any;
};

describe('OpenAPI documents', () => {
  let t: TestApp;
  let pub: any;
  let admin: any;
  beforeAll(async () => {
    t = await TestApp.start();
    const [p, a] = await Promise.all([
      request(t.px.internalServer).get('/openapi.json'),
      request(t.px.internalServer).get('/openapi/admin.json'),
    ]);
    expect([p.status, a.status]).toEqual([200, 200]);
    [pub, admin] = [p.body, a.body];
  });
  afterAll(() => t?.stop());

  const resolve = (doc: any, s: Schema): Schema =>
    s.$ref ? resolve(doc, doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]) : s;
  const fieldsOf = (doc: any, s: Schema) => Object.keys(resolve(doc, s).properties ?? {}).sort();
  /** Every field of a schema as a path, at any depth ('challenge.send_methods[].mask'); a oneOf gives each one's. */
  const pathsOf = (doc: any, s: Schema, prefix = ''): string[] => {
    const r = resolve(doc, s);
    const inner = [...(r.oneOf ?? []).map((x: Schema) => pathsOf(doc, x, prefix))];
    if (r.items) inner.push(pathsOf(doc, r.items, `${prefix}[]`));
    for (const [k, v] of Object.entries(r.properties ?? {})) {
      const path = `${prefix && `${prefix}.`}${k}`;
      inner.push([path, ...pathsOf(doc, v, path)]);
    }
    return [...new Set(inner.flat())];
  };
  const challengeOf = (name: string) => resolve(pub, pub.components.schemas[name].properties.challenge);
  const op = (path: string) => pub.paths[path].post;
  const bodySchema = (path: string, type = 'application/x-www-form-urlencoded') =>
    resolve(pub, op(path).requestBody.content[type].schema);
  const responseSchema = (path: string, status: number) =>
    resolve(pub, op(path).responses[String(status)].content['application/json'].schema);

  it('serves both as OpenAPI 3 on the internal listener only', async () => {
    expect(pub.openapi).toMatch(/^3\./);
    expect(admin.openapi).toMatch(/^3\./);
    for (const path of ['/openapi.json', '/openapi/admin.json', '/OpenAPI.json']) {
      const r = await request(t.px.publicServer).get(path);
      expect(r.status).toBe(404);
      expect(r.body.error.id).toBe('NOT_FOUND');
    }
  });

  it("the public one holds Plaid's three endpoints and nothing of the internal listener", () => {
    const plaidPaths = Object.keys(pub.paths).filter((p) => p.startsWith('/users/'));
    expect(plaidPaths.sort()).toEqual(['/users/auth_token', '/users/{user_id}/2fa', '/users/{user_id}/sendOtp']);
    expect(Object.keys(pub.paths).filter((p) => /^\/(admin|tokens|metrics|openapi)/.test(p))).toEqual([]);
    // Plaid's partner headers, and OAuth's client authentication and sign-in cookie (test/openapi-oauth.e2e-spec.ts).
    const schemes = ['oauth-client', 'plaid-client-id', 'plaid-secret', 'sign-in-cookie'];
    expect(Object.keys(pub.components.securitySchemes).sort()).toEqual(schemes);
    expect(pub.components.securitySchemes['plaid-secret']).toMatchObject({ in: 'header', name: 'X-PLAID-SECRET' });
    for (const path of plaidPaths) expect(op(path).security).toEqual([{ 'plaid-client-id': [], 'plaid-secret': [] }]);
  });

  it("has Plaid's request field names, form-encoded, with the required ones required", () => {
    const expected: [string, string, string[], string[]][] = [
      [
        '/users/auth_token',
        'POST /users/auth_token',
        ['institution_id', 'password', 'username'],
        ['password', 'username'],
      ],
      [
        '/users/{user_id}/sendOtp',
        'POST /users/{user_id}/sendOtp',
        ['challenge_id', 'send_method_id'],
        ['challenge_id', 'send_method_id'],
      ],
      ['/users/{user_id}/2fa', 'POST /users/{user_id}/2fa', ['answers', 'challenge_id', 'passcode'], ['challenge_id']],
    ];
    for (const [path, heading, fields, required] of expected) {
      const reference = requestFieldsIn(heading);
      for (const f of fields) expect([f, reference.includes(f)]).toEqual([f, true]);
      const body = bodySchema(path);
      expect(fieldsOf(pub, body)).toEqual(fields);
      // the same fields at the same depth as Plaid's (answers[].question_id), no more
      expect([path, pathsOf(pub, body).sort()]).toEqual([path, [...reference].sort()]);
      expect([...(body.required ?? [])].sort()).toEqual(required);
      for (const f of requiredIn(heading)) expect([path, f, body.required?.includes(f)]).toEqual([path, f, true]);
      for (const name of plaid(heading).request.path)
        expect([path, op(path).parameters.some((p: any) => p.in === 'path' && p.name === name && p.required)]).toEqual([
          path,
          true,
        ]);
      expect(Object.keys(op(path).requestBody.content).sort()).toEqual([
        'application/json',
        'application/x-www-form-urlencoded',
      ]);
    }
    const answer = resolve(pub, bodySchema('/users/{user_id}/2fa').properties!.answers.items!);
    expect(fieldsOf(pub, answer)).toEqual(['question_id', 'text']);
    for (const f of ['question_id', 'text'])
      expect(requestFieldsIn('POST /users/{user_id}/2fa')).toContain(`answers[].${f}`);
  });

  it("answers every status Plaid's reference gives for each endpoint, and only statuses Plaid understands", () => {
    const plaidStatuses = [200, 202, 400, 401, 403, 405, 503];
    for (const [path, heading] of [
      ['/users/auth_token', 'POST /users/auth_token'],
      ['/users/{user_id}/sendOtp', 'POST /users/{user_id}/sendOtp'],
      ['/users/{user_id}/2fa', 'POST /users/{user_id}/2fa'],
    ]) {
      const documented = Object.keys(op(path).responses).map(Number);
      const reference = statusesIn(heading);
      expect(reference.length).toBeGreaterThanOrEqual(3);
      for (const s of reference) expect([path, s, documented.includes(s)]).toEqual([path, s, true]);
      for (const s of documented) expect([path, s, plaidStatuses.includes(s)]).toEqual([path, s, true]);
    }
    expect(Object.keys(op('/users/auth_token').responses).map(Number).sort()).toEqual(plaidStatuses);
  });

  it("has Plaid's response field names: the token, the three challenges, the error envelope", () => {
    for (const path of ['/users/auth_token', '/users/{user_id}/2fa'])
      expect(fieldsOf(pub, responseSchema(path, 200))).toEqual(['auth_token', 'user_id']);
    const challenges = responseSchema('/users/auth_token', 202).oneOf.map((s: Schema) => s.$ref!.split('/').pop());
    expect(challenges.sort()).toEqual([
      'MfaKbaEscalationChallenge',
      'MfaOtpEscalationChallenge',
      'MfaTotpEscalationChallenge',
    ]);
    const plaidChallenges = plaid('POST /users/auth_token').responses['202'].one_of!;
    expect(challenges.sort()).toEqual(plaidChallenges.map((c) => c.name).sort());
    // each challenge says its own kind, one of the kinds Plaid lists; a send method's type is one Plaid takes
    for (const c of plaidChallenges) {
      const kind: string[] = challengeOf(c.name).properties!.type.enum;
      expect([c.name, kind.length, c.values!['challenge.type'].includes(kind[0])]).toEqual([c.name, 1, true]);
    }
    const sendMethod = resolve(pub, challengeOf('MfaOtpEscalationChallenge').properties!.send_methods.items!);
    const otp = plaidChallenges.find((c) => c.name === 'MfaOtpEscalationChallenge')!;
    expect([...sendMethod.properties!.type.enum].sort()).toEqual(
      [...otp.values!['challenge.send_methods[].type']].sort(),
    );
    expect(fieldsOf(pub, challengeOf('MfaOtpEscalationChallenge'))).toEqual(['id', 'prompt', 'send_methods', 'type']);
    expect(fieldsOf(pub, challengeOf('MfaOtpEscalationChallenge').properties!.send_methods.items!)).toEqual([
      'id',
      'mask',
      'type',
    ]);
    expect(fieldsOf(pub, challengeOf('MfaKbaEscalationChallenge'))).toEqual(['id', 'questions', 'type']);
    expect(fieldsOf(pub, challengeOf('MfaKbaEscalationChallenge').properties!.questions.items!)).toEqual([
      'id',
      'text',
    ]);
    expect(fieldsOf(pub, challengeOf('MfaTotpEscalationChallenge'))).toEqual(['id', 'prompt', 'type']);
    for (const name of challenges)
      expect(fieldsOf(pub, pub.components.schemas[name])).toEqual(['challenge', 'user_id']);

    for (const path of ['/users/auth_token', '/users/{user_id}/sendOtp', '/users/{user_id}/2fa'])
      for (const status of [400, 401, 503]) {
        const envelope = responseSchema(path, status);
        expect(fieldsOf(pub, envelope)).toEqual(['error', 'request_id']);
        expect(fieldsOf(pub, envelope.properties!.error)).toEqual(
          status === 503 ? ['id', 'message', 'retry_at'] : ['id', 'message'],
        );
      }
    expect(responseSchema('/users/auth_token', 503).properties!.error.properties!.retry_at.format).toBe('date-time');
  });

  it("names every response field, at every depth, as Plaid's reference does for that endpoint", () => {
    /** Every property name of a schema and of what it holds (refs, oneOf, array items), at any depth. */
    const namesOf = (s: Schema): string[] => [...new Set(pathsOf(pub, s).map(leaf))];
    for (const [path, heading] of [
      ['/users/auth_token', 'POST /users/auth_token'],
      ['/users/{user_id}/sendOtp', 'POST /users/{user_id}/sendOtp'],
      ['/users/{user_id}/2fa', 'POST /users/{user_id}/2fa'],
    ]) {
      const reference = plaid(heading).responses;
      // Plaid describes some errors in prose only (auth_token's 403 and 405); what it reads of any error
      // is the error object it documents for the others.
      const envelope = Object.entries(reference).find(([s, r]) => Number(s) >= 400 && r.fields?.length)![1].fields!;
      for (const status of statusesIn(heading)) {
        const want = reference[String(status)];
        const content = op(path).responses[String(status)].content?.['application/json'];
        if (!want.one_of && !want.fields?.length && status < 400) {
          expect([path, status, content]).toEqual([path, status, undefined]); // sendOtp's 200 has no body
          continue;
        }
        const schema = content.schema as Schema;
        const names = namesOf(schema);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names)
          expect([path, status, name, responseNamesIn(heading).has(name)]).toEqual([path, status, name, true]);
        if (want.one_of)
          for (const c of want.one_of)
            expect([path, status, c.name, pathsOf(pub, pub.components.schemas[c.name]).sort()]).toEqual([
              path,
              status,
              c.name,
              [...c.fields].sort(),
            ]);
        else {
          const fields = want.fields?.length ? want.fields : envelope;
          expect([path, status, pathsOf(pub, schema).sort()]).toEqual([path, status, [...fields].sort()]);
        }
      }
    }
  });

  it("puts each error id under docs/api.md's status for it, and documents every id of the table", () => {
    const table = documentedErrors();
    expect(table.get('ACCOUNT_LOCKED')).toBe(403);
    // the table a bank reads is the one the code answers with
    const known: string[] = Object.values(ErrorId);
    for (const [id, status] of table) expect([id, known.includes(id) && statusOf(id as ErrorId)]).toEqual([id, status]);
    const documented = new Set<string>();
    for (const path of Object.keys(pub.paths).filter((p) => p.startsWith('/users/')))
      for (const [status, res] of Object.entries<any>(op(path).responses)) {
        const ids: string[] | undefined =
          res.content?.['application/json']?.schema?.properties?.error?.properties?.id?.enum;
        if (Number(status) < 400) continue;
        expect(ids?.length).toBeGreaterThan(0);
        for (const id of ids!) {
          expect([path, id, table.get(id)]).toEqual([path, id, Number(status)]);
          documented.add(id);
        }
      }
    // INTERNAL_ERROR is a bug, not an answer Plaid is promised.
    expect([...documented].sort()).toEqual([...table.keys()].filter((id) => id !== 'INTERNAL_ERROR').sort());
    // What the service really answers has the documented envelope.
    return t.login('user_good', 'wrong').then((r) => {
      expect(r.status).toBe(401);
      expect(Object.keys(r.body).sort()).toEqual(responseSchema('/users/auth_token', 401).required!.slice().sort());
    });
  });

  it('the admin one holds the staff API and introspection, each operation with its roles and the staff key', () => {
    const paths = Object.keys(admin.paths);
    for (const p of [
      '/admin/users',
      '/admin/users/{id}',
      '/admin/users/{id}/unlock',
      '/admin/outbox',
      '/admin/maintenance',
      '/admin/clients',
      '/tokens/introspect',
      '/tokens/revoke',
    ])
      expect([p, paths.includes(p)]).toEqual([p, true]);
    expect(paths.filter((p) => p.startsWith('/users/'))).toEqual([]);
    for (const [path, item] of Object.entries<any>(admin.paths)) {
      if (!/^\/(admin|tokens)\//.test(path)) continue;
      for (const operation of Object.values<any>(item)) {
        expect([path, operation.security]).toEqual([path, [{ 'staff-key': [] }]]);
        expect(operation['x-pxauth-roles'].length).toBeGreaterThan(0);
      }
    }
    expect(admin.paths['/admin/users/{id}/unlock'].post['x-pxauth-roles']).toEqual(['support']);
    expect(admin.paths['/tokens/introspect'].post['x-pxauth-roles']).toEqual(['resource-server', 'admin']);
    const introspection = admin.paths['/tokens/introspect'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(introspection.properties)).toEqual(
      expect.arrayContaining(['active', 'sub', 'user_id', 'client_id', 'token_type', 'iat', 'exp']),
    );
  });
});
