import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { Application } from 'express';
import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule, AppOptions } from './app.module';
import { tagListener } from './common/http/listener';
import type { Listener } from './common/http/request-context';
import { AppConfig } from './config/app-config';
import { FAST_PATHS } from './edge/edge.module';
import { FairStart } from './edge/fair-start';
import { LeanRoutes } from './edge/lean-routes';
import { routeDifferences } from './edge/route-parity';
import { Lifecycle } from './health/lifecycle';
import { NestBootAtDebug, startupSummary } from './logging';
import { CREDENTIAL_SOURCE } from './users/credentials/credential-source';
import { MetricsRegistry } from './metrics/metrics.registry';
import { OpenApiDocuments } from './openapi/openapi.documents';

export interface PxAuth {
  app: INestApplication;
  config: AppConfig;
  publicServer: Server;
  internalServer: Server;
  /** The management listener, when MANAGEMENT_PORT is set. */
  managementServer?: Server;
  publicUrl: string;
  internalUrl: string;
  managementUrl?: string;
  /** Graceful: stop accepting, let requests in flight finish (up to SHUTDOWN_TIMEOUT), close the database. */
  close(): Promise<void>;
}

const KEEP_ALIVE_MS = 65_000;

/**
 * One Nest application, one database pool, two listeners (docs/api.md#listeners): the public one
 * for Plaid, the internal one (loopback by default) for staff, the data API and operators.
 */
export async function startPxAuth(options: AppOptions = {}): Promise<PxAuth> {
  const app = await NestFactory.create(AppModule.forRoot(options), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(new NestBootAtDebug(app.get(Logger)));
  // Nest flushes (and detaches) the startup log buffer only in app.listen(), which is not used here:
  // without this every Logger line (audit, outbox, errors with their stack) stays buffered forever.
  app.flushLogs();
  const config = app.get(AppConfig);
  const express = app.getHttpAdapter().getInstance() as Application;
  express.disable('x-powered-by');
  // No ETag: no answer here is cacheable (POSTs, tokens, pages marked no-store), and the ETag of an
  // answer that holds a token is a digest of that token, computed for every answer for nothing.
  express.set('etag', false);
  await app.init();
  app.get(OpenApiDocuments).generate(app);

  const lifecycle = app.get(Lifecycle);
  let lean: LeanRoutes | undefined;
  try {
    lean = config.FAST_PATHS ? await leanRoutes(app) : undefined;
  } catch (err) {
    await app.close();
    throw err;
  }
  // Admission has no switch of its own: it only orders when requests start, on either path.
  const fair = new FairStart();
  const serve = (listener: Listener) => {
    const server = createServer((req, res) => {
      tagListener(req, listener);
      // Draining: each response closes its connection, so keep-alive clients do not hold the exit.
      if (lifecycle.draining) res.setHeader('Connection', 'close');
      fair.start(listener, () => {
        if (lean) lean.serve(listener, req, res, express);
        else express(req, res);
      });
    });
    // Longer than the idle timeout of the proxies in front (nginx's upstream keepalive_timeout and AWS's
    // load balancers: 60 s), so that the proxy, not pxauth, closes an idle connection: a connection that
    // pxauth closes just as a proxy reuses it fails a POST that no proxy may replay (Node's default: 5 s).
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    return server;
  };
  const publicServer = serve('public');
  const internalServer = serve('internal');
  const managementServer = config.MANAGEMENT_PORT === undefined ? undefined : serve('management');
  try {
    await listen(publicServer, config.PORT, config.HOST);
    await listen(internalServer, config.ADMIN_PORT, config.ADMIN_HOST);
    if (managementServer) await listen(managementServer, config.MANAGEMENT_PORT!, config.MANAGEMENT_HOST);
  } catch (err) {
    publicServer.close();
    internalServer.close();
    await app.close();
    throw err;
  }

  const urls = {
    public: urlOf(publicServer),
    internal: urlOf(internalServer),
    ...(managementServer && { management: urlOf(managementServer) }),
  };
  const source = app.get<{ name: string }>(CREDENTIAL_SOURCE, { strict: false }).name;
  new NestLogger('pxauth').log(startupSummary(config, urls, source), 'pxauth started');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Readiness fails at once; for SHUTDOWN_DELAY the listeners still accept, so that connections a
      // load balancer sends before it notices are served rather than reset.
      lifecycle.draining = true;
      if (config.SHUTDOWN_DELAY > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY));
      const servers = [publicServer, internalServer, ...(managementServer ? [managementServer] : [])];
      await Promise.all(servers.map((s) => drain(s, config.SHUTDOWN_TIMEOUT)));
      await app.close();
    })());
  return {
    app,
    config,
    publicServer,
    internalServer,
    managementServer,
    publicUrl: urls.public,
    internalUrl: urls.internal,
    managementUrl: urls.management,
    close,
  };
}

/**
 * Login and token introspection in front of Express, counted in /metrics and logged as the pipeline's
 * answers are. A fast path that does not run what Nest runs for its route (a guard added to the controller
 * alone) stops the start rather than serve the route without it.
 */
async function leanRoutes(app: INestApplication): Promise<LeanRoutes> {
  const routes = FAST_PATHS.map((type) => app.get(type));
  const differences = routes.flatMap((route) => routeDifferences(app.get(ModulesContainer), route));
  if (differences.length)
    throw new Error(
      'The fast paths differ from their routes (FAST_PATHS=false serves them all through Nest): ' +
        differences.join('; '),
    );
  const metrics = app.get(MetricsRegistry);
  const log = await app.resolve(PinoLogger);
  return new LeanRoutes(routes, log, (route, status, seconds) =>
    metrics.observeRequest({ listener: route.listener, method: route.method, route: route.path }, status, seconds),
  );
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([e]) => {
      throw e;
    }),
  ]);
}

async function drain(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection goes idle when its last response is out: close it then, not at its timeout.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearInterval(sweeper);
  clearTimeout(timer);
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  const host =
    a.family === 'IPv6'
      ? `[${a.address === '::' ? '::1' : a.address}]`
      : a.address === '0.0.0.0'
        ? '127.0.0.1'
        : a.address;
  return `http://${host}:${a.port}`;
}
