import { CanActivate, Injectable, Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GuardsContextCreator } from '@nestjs/core/guards/guards-context-creator';
import type { NestContainer } from '@nestjs/core/injector/container';
import request from 'supertest';
import { GuardedCall } from '@/edge/guarded-call';
import { IntrospectionFastPath } from '@/edge/introspection.fast-path';
import type { LeanRoute } from '@/edge/lean-routes';
import { LoginFastPath } from '@/edge/login.fast-path';
import { routeDifferences } from '@/edge/route-parity';
import { SendOtpFastPath, TwoFactorFastPath } from '@/edge/second-factor.fast-paths';
import { TokensController } from '@/tokens/tokens.controller';
import { CLIENT, KEYS, PASSWORD, Res, TestApp } from './support/harness';
import { leanAnswers } from './support/lean-routes';
import { storedRows } from './support/stored';

/**
 * The fast paths (src/edge/) run what Nest runs for the routes they stand in for, and FAST_PATHS=false
 * sends every request through Express and Nest with the same answers.
 */

const FAST_PATHS: Type<LeanRoute>[] = [LoginFastPath, SendOtpFastPath, TwoFactorFastPath, IntrospectionFastPath];

/** The guard instances Nest's router runs for a route's handler: its own GuardsContextCreator. */
function nestGuards(t: TestApp, route: LeanRoute): CanActivate[] {
  const container = (t.px.app as unknown as { container: NestContainer }).container;
  for (const [key, module] of container.getModules()) {
    const controller = module.controllers.get(route.controller);
    if (!controller) continue;
    const handler = (route.controller.prototype as Record<string, (...args: unknown[]) => unknown>)[route.handler];
    return new GuardsContextCreator(container, container.applicationConfig).create(controller.instance, handler, key);
  }
  throw new Error(`${route.controller.name} is in no module`);
}

describe('fast paths and the routes they stand in for', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t?.stop());

  it.each(FAST_PATHS.map((type) => [type.name, type]))(
    '%s: the same guards, the very instances of Nest’s router, in its order; no enhancer left unsaid',
    (_name, type) => {
      const route = t.px.app.get(type);
      expect(routeDifferences(t.px.app.get(ModulesContainer), route)).toEqual([]);
      const nest = nestGuards(t, route);
      expect(nest.map((g) => g.constructor)).toEqual(route.guards);
      const runs = t.px.app.get(GuardedCall).guardsOf(route);
      expect(runs.length).toBe(nest.length);
      runs.forEach((guard, i) => expect(guard).toBe(nest[i]));
    },
  );
});

@Injectable()
class AddedGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

describe('a guard added to a controller route alone', () => {
  const handler = (TokensController.prototype as unknown as Record<string, object>).introspect;
  beforeAll(() => Reflect.defineMetadata(GUARDS_METADATA, [AddedGuard], handler));
  afterAll(() => Reflect.deleteMetadata(GUARDS_METADATA, handler));

  it('stops the start, named, unless FAST_PATHS is false', async () => {
    await expect(TestApp.start()).rejects.toThrow(
      'POST /tokens/introspect: Nest runs the guards [ListenerGuard, StaffGuard, AddedGuard], ' +
        'the fast path [ListenerGuard, StaffGuard]',
    );
    const off = await TestApp.start({ FAST_PATHS: 'false' });
    try {
      const spy = jest.spyOn(AddedGuard.prototype, 'canActivate');
      const r = await off.login('user_good');
      expect(r.status).toBe(200);
      const intro = await introspect(off, { token: r.body.auth_token as string });
      expect([intro.status, intro.body.active]).toEqual([200, true]);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      await off.stop();
    }
  });
});

/** POST /tokens/introspect with a Content-Length: the fast path's case when FAST_PATHS is on. */
function introspect(t: TestApp, body: Record<string, string>, key: string | null = KEYS.rs) {
  const req = request(t.px.internalServer).post('/tokens/introspect').type('form');
  return (key ? req.set('Authorization', `Bearer ${key}`) : req).send(body);
}

/** Ids, tokens and times differ from app to app and KBA questions are drawn at random; the rest must not. */
function shape(r: { status: number; text: string }): unknown {
  const masked = JSON.parse(
    r.text
      .replace(/"(auth_token|request_id|id|user_id|sub)":"[^"]+"/g, '"$1":"…"')
      .replace(/"(iat|exp)":\d+/g, '"$1":0'),
  ) as Record<string, unknown>;
  return [r.status, masked];
}

describe('FAST_PATHS=false', () => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await TestApp.start();
    off = await TestApp.start({ FAST_PATHS: 'false' });
  });
  afterAll(async () => {
    await on?.stop();
    await off?.stop();
  });

  /** What `act` answers on each app, and whether the fast path answered it there (true) or never saw it. */
  async function onBoth(
    type: Type<LeanRoute>,
    act: (t: TestApp) => Promise<{ status: number; text: string }>,
  ): Promise<[unknown, unknown]> {
    let fast!: { status: number; text: string };
    let full!: { status: number; text: string };
    expect(await leanAnswers(on, type, async () => (fast = await act(on)))).toEqual([true]);
    expect(await leanAnswers(off, type, async () => (full = await act(off)))).toEqual([]);
    return [shape(fast), shape(full)];
  }

  it.each([
    ['200, authenticated', 'user_good', {}],
    ['202, an OTP challenge', 'user_otp', {}],
    ['401, a wrong password', 'user_good', { password: 'Wr0ng-Off-Guess' }],
    ['401, a wrong partner secret', 'user_good', { client: { ...CLIENT, secret: 'not-the-secret' } }],
  ])('login, %s: the same answer through Express and Nest', async (_name, username, opts) => {
    const o = opts as { password?: string; client?: typeof CLIENT };
    const [fast, full] = await onBoth(LoginFastPath, (t) =>
      t.plaid('/users/auth_token', { username, password: o.password ?? PASSWORD }, { client: o.client }),
    );
    expect(full).toEqual(fast);
  });

  it.each([
    ['sendOtp, 400, an unknown challenge', SendOtpFastPath, 'sendOtp', 'user_good', CLIENT],
    ['sendOtp, 400, an unknown user_id', SendOtpFastPath, 'sendOtp', null, CLIENT],
    ['sendOtp, 401, a wrong partner secret', SendOtpFastPath, 'sendOtp', 'user_good', { ...CLIENT, secret: 'nope' }],
    ['2fa, 400, an unknown challenge', TwoFactorFastPath, '2fa', 'user_good', CLIENT],
    ['2fa, 400, an unknown user_id', TwoFactorFastPath, '2fa', null, CLIENT],
    ['2fa, 401, a wrong partner secret', TwoFactorFastPath, '2fa', 'user_good', { ...CLIENT, secret: 'nope' }],
  ] as const)('%s: the same answer and audit row through Express and Nest', async (_name, type, step, user, client) => {
    const fields: Record<string, string> =
      step === 'sendOtp'
        ? { challenge_id: 'c'.repeat(43), send_method_id: 'sms-0' }
        : { challenge_id: 'c'.repeat(43), passcode: '1' };
    const answers = new Map<TestApp, Res>();
    const [fast, full] = await onBoth(type, async (t) => {
      const userId = user ? await t.userIdOf(user) : 'nobody-at-all';
      const r = await t.plaid(`/users/${userId}/${step}`, fields, { client });
      answers.set(t, r);
      return r;
    });
    expect(full).toEqual(fast);
    const audit = async (t: TestApp) =>
      (
        await storedRows(t, 'SELECT type, outcome, client_id, detail FROM audit_event WHERE request_id = ?', [
          answers.get(t)!.headers['x-request-id'],
        ])
      ).map((r) => ({ ...r }));
    expect(await audit(on)).toEqual(await audit(off));
  });

  it.each([
    ['200, active', 'live', KEYS.rs],
    ['200, an unknown token', 'unknown', KEYS.rs],
    ['401, no key', 'live', null],
    ['403, a key of another role', 'live', KEYS.support],
  ])('introspection, %s: the same answer through Express and Nest', async (_name, which, key) => {
    const tokens = new Map<TestApp, string>();
    for (const t of [on, off]) tokens.set(t, (await t.login('user_good')).body.auth_token as string);
    const [fast, full] = await onBoth(IntrospectionFastPath, (t) =>
      introspect(t, { token: which === 'live' ? tokens.get(t)! : 'x'.repeat(43) }, key),
    );
    expect(full).toEqual(fast);
  });
});
