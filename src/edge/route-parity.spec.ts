import { CanActivate, Injectable, NestInterceptor, PipeTransform, Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { APP_FILTER, APP_GUARD, APP_PIPE, ModulesContainer, Reflector } from '@nestjs/core';
import { AuthController } from '@/auth/auth.controller';
import { ErrorEnvelopeFilter } from '@/common/errors/error.filter';
import { GLOBAL_GUARDS } from '@/common/http/guarded';
import { createValidationPipe } from '@/common/http/validation.pipe';
import { TokensController } from '@/tokens/tokens.controller';
import { IntrospectionFastPath } from './introspection.fast-path';
import type { LeanRoute } from './lean-routes';
import { LoginFastPath } from './login.fast-path';
import { routeDifferences } from './route-parity';
import { SendOtpFastPath, TwoFactorFastPath } from './second-factor.fast-paths';

@Injectable()
class ExtraGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class ExtraInterceptor implements NestInterceptor {
  intercept(): never {
    throw new Error('never called');
  }
}

/** Nest's global enhancers as AppModule registers them, in a container of one module. */
function appModules(extraGlobalGuards: Type<CanActivate>[] = []): ModulesContainer {
  const reflector = new Reflector();
  const providers = new Map<string, { instance: object }>();
  [...GLOBAL_GUARDS, ...extraGlobalGuards].forEach((guard, i) =>
    providers.set(`${APP_GUARD} (UUID: g${i})`, { instance: new (guard as Type)(reflector) as object }),
  );
  providers.set(`${APP_FILTER} (UUID: f)`, { instance: new ErrorEnvelopeFilter() });
  providers.set(`${APP_PIPE} (UUID: p)`, { instance: createValidationPipe() });
  return new Map([
    ['app', { providers, controllers: new Map(), injectables: new Map() }],
  ]) as unknown as ModulesContainer;
}

const login = new LoginFastPath(null as never, null as never);
const introspection = new IntrospectionFastPath(null as never, null as never);
const sendOtp = new SendOtpFastPath(null as never, null as never);
const twoFactor = new TwoFactorFastPath(null as never, null as never);
const handlerOf = (route: LeanRoute) => (route.controller.prototype as Record<string, object>)[route.handler];

/** Metadata a test adds, put back as it was after each test. */
const restores: (() => void)[] = [];
function redefine(key: string, value: unknown, target: object, property?: string): void {
  const had =
    property === undefined ? Reflect.getOwnMetadata(key, target) : Reflect.getOwnMetadata(key, target, property);
  restores.push(() =>
    property === undefined
      ? Reflect.defineMetadata(key, had, target)
      : Reflect.defineMetadata(key, had, target, property),
  );
  if (property === undefined) Reflect.defineMetadata(key, value, target);
  else Reflect.defineMetadata(key, value, target, property);
}
afterEach(() =>
  restores
    .splice(0)
    .reverse()
    .forEach((restore) => restore()),
);

describe(routeDifferences.name, () => {
  it('finds none between each fast path and the controller route it stands in for', () => {
    expect(routeDifferences(appModules(), login)).toEqual([]);
    expect(routeDifferences(appModules(), introspection)).toEqual([]);
    // A route with a path parameter is compared as Nest declares it, `:user_id` and all.
    expect(routeDifferences(appModules(), sendOtp)).toEqual([]);
    expect(routeDifferences(appModules(), twoFactor)).toEqual([]);
  });

  it("reports a guard added to AuthController alone on every fast path of Plaid's calls", () => {
    const guards = Reflect.getMetadata(GUARDS_METADATA, AuthController) as Type[];
    redefine(GUARDS_METADATA, [...guards, ExtraGuard], AuthController);
    for (const route of [sendOtp, twoFactor])
      expect(routeDifferences(appModules(), route)).toEqual([
        `POST ${route.path}: Nest runs the guards [ListenerGuard, AddressThrottleGuard, PartnerGuard, ` +
          'ClientThrottleGuard, ExtraGuard], the fast path [ListenerGuard, AddressThrottleGuard, PartnerGuard, ' +
          'ClientThrottleGuard]',
      ]);
  });

  it('reports a pipe or interceptor on the sendOtp or 2fa handler, and a handler that moved', () => {
    redefine(INTERCEPTORS_METADATA, [ExtraInterceptor], handlerOf(sendOtp));
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, AuthController, 'verify') as Record<string, object>;
    const param = Object.keys(args).find((k) => (args[k] as { data?: unknown }).data === 'user_id')!;
    const pipe: PipeTransform = { transform: (v: unknown) => v };
    redefine(ROUTE_ARGS_METADATA, { ...args, [param]: { ...args[param], pipes: [pipe] } }, AuthController, 'verify');
    expect(routeDifferences(appModules(), sendOtp)).toEqual([
      'POST /users/:user_id/sendOtp: Nest applies the interceptor ExtraInterceptor; ' +
        'the fast path neither reproduces it nor says why not',
    ]);
    expect(routeDifferences(appModules(), twoFactor)).toEqual([
      'POST /users/:user_id/2fa: Nest applies the pipe Object; the fast path neither reproduces it nor says why not',
    ]);
    redefine(PATH_METADATA, ':id/2fa', handlerOf(twoFactor));
    expect(routeDifferences(appModules(), twoFactor)).toContain(
      'POST /users/:user_id/2fa: AuthController.verify is POST /users/:id/2fa',
    );
  });

  it('reports a guard added to the controller alone, by name and in order', () => {
    const guards = Reflect.getMetadata(GUARDS_METADATA, AuthController) as Type[];
    redefine(GUARDS_METADATA, [...guards, ExtraGuard], AuthController);
    expect(routeDifferences(appModules(), login)).toEqual([
      'POST /users/auth_token: Nest runs the guards [ListenerGuard, AddressThrottleGuard, PartnerGuard, ' +
        'ClientThrottleGuard, ExtraGuard], the fast path [ListenerGuard, AddressThrottleGuard, PartnerGuard, ' +
        'ClientThrottleGuard]',
    ]);
  });

  it("reports a guard on the handler, a global guard, and the controller's guards in another order", () => {
    redefine(GUARDS_METADATA, [ExtraGuard], handlerOf(introspection));
    expect(routeDifferences(appModules(), introspection)).toEqual([
      'POST /tokens/introspect: Nest runs the guards [ListenerGuard, StaffGuard, ExtraGuard], ' +
        'the fast path [ListenerGuard, StaffGuard]',
    ]);
    restores.splice(0).forEach((restore) => restore());
    expect(routeDifferences(appModules([ExtraGuard]), introspection)).toEqual([
      // A global guard runs before the controller's, as Nest runs it.
      'POST /tokens/introspect: Nest runs the guards [ListenerGuard, ExtraGuard, StaffGuard], ' +
        'the fast path [ListenerGuard, StaffGuard]',
    ]);
    const guards = Reflect.getMetadata(GUARDS_METADATA, AuthController) as Type[];
    redefine(GUARDS_METADATA, [...guards].reverse(), AuthController);
    expect(routeDifferences(appModules(), login)).toEqual([
      expect.stringContaining(
        'Nest runs the guards [ListenerGuard, ClientThrottleGuard, PartnerGuard, AddressThrottleGuard]',
      ),
    ]);
  });

  it('reports an interceptor, a filter or a parameter pipe the fast path says nothing of', () => {
    redefine(INTERCEPTORS_METADATA, [ExtraInterceptor], handlerOf(login));
    redefine(EXCEPTION_FILTERS_METADATA, [new ErrorEnvelopeFilter(), { catch: () => undefined }], TokensController);
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, AuthController, 'authToken') as Record<string, object>;
    const [first] = Object.keys(args);
    const pipe: PipeTransform = { transform: (v: unknown) => v };
    redefine(ROUTE_ARGS_METADATA, { ...args, [first]: { ...args[first], pipes: [pipe] } }, AuthController, 'authToken');
    expect(routeDifferences(appModules(), login)).toEqual([
      'POST /users/auth_token: Nest applies the pipe Object; the fast path neither reproduces it nor says why not',
      'POST /users/auth_token: Nest applies the interceptor ExtraInterceptor; ' +
        'the fast path neither reproduces it nor says why not',
    ]);
    // ErrorEnvelopeFilter is one the fast path reproduces; the other filter it says nothing of.
    expect(routeDifferences(appModules(), introspection)).toEqual([
      'POST /tokens/introspect: Nest applies the filter Object; the fast path neither reproduces it nor says why not',
    ]);
  });

  it('reports a controller route that moved', () => {
    redefine(PATH_METADATA, 'token', handlerOf(login));
    expect(routeDifferences(appModules(), login)).toEqual([
      'POST /users/auth_token: AuthController.authToken is POST /users/token',
    ]);
  });
});
