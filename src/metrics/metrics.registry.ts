import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BUILD_INFO } from '@/common/build-info';

/** Latency buckets for a login: an argon2id verify alone is about 30 ms; Plaid gives up after seconds. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/**
 * One registry per app (tests start several in one process), with Node's own metrics (event-loop
 * delay and lag, heap, CPU, handles) and pxauth's. Names follow Prometheus' conventions: `_total`
 * for counters, `_seconds` for durations, labels from closed sets only (never a user or a path).
 */
@Injectable()
export class MetricsRegistry implements OnModuleDestroy {
  readonly registry = new Registry();

  /** Always 1: which version runs on which Node, for a dashboard to join on (the `_info` convention). */
  readonly buildInfo = new Gauge({
    name: 'pxauth_build_info',
    help: "pxauth's version and the Node.js version it runs on; always 1.",
    labelNames: ['version', 'node'] as const,
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'pxauth_http_requests_total',
    help: 'HTTP requests answered, by listener, method, route (the matched pattern) and status.',
    labelNames: ['listener', 'method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'pxauth_http_request_duration_seconds',
    help: 'Time from the request reaching the app to its answer being written, by listener, method and route.',
    labelNames: ['listener', 'method', 'route'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  /** One answer written, by the pipeline's middleware or a lean route: counted and timed alike. */
  observeRequest(labels: { listener: string; method: string; route: string }, status: number, seconds: number): void {
    this.requests.inc({ ...labels, status: String(status) });
    this.latency.observe(labels, seconds);
  }

  readonly logins = new Counter({
    name: 'pxauth_logins_total',
    help: 'POST /users/auth_token outcomes (the audit outcome: success, challenge_issued, invalid_credentials, locked, overloaded, ...).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly challengesIssued = new Counter({
    name: 'pxauth_challenges_issued_total',
    help: 'Second-factor challenges issued by a 202, by kind (otp, totp, kba).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly challengeAnswers = new Counter({
    name: 'pxauth_challenge_answers_total',
    help: 'POST /users/:user_id/2fa outcomes, by challenge kind (none when the challenge was not found).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'pxauth_otp_sends_total',
    help: 'POST /users/:user_id/sendOtp outcomes, by channel (sms, voice, email; none before one was chosen) and result.',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });
  readonly locks = new Counter({
    name: 'pxauth_locks_total',
    help: 'Accounts locked, by how (locked_temporarily, locked_until_unlocked, locked_by_staff).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly unlocks = new Counter({
    name: 'pxauth_unlocks_total',
    help: 'Accounts unlocked by staff.',
    registers: [this.registry],
  });
  readonly sheds = new Counter({
    name: 'pxauth_sheds_total',
    help: 'Requests shed with 503 because no password check could start within OVERLOAD_QUEUE_TIMEOUT, by flow and class.',
    labelNames: ['flow', 'class'] as const,
    registers: [this.registry],
  });
  readonly throttles = new Counter({
    name: 'pxauth_throttles_total',
    help: 'Requests refused with 503 by THROTTLE_PER_CLIENT or THROTTLE_PER_ADDRESS, by scope.',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly argon2Time = new Histogram({
    name: 'pxauth_argon2_verify_duration_seconds',
    help: 'Time of one password or KBA check that ran, by class, from the call to its result: its wait for a slot included.',
    labelNames: ['class'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly argon2Wait = new Histogram({
    name: 'pxauth_argon2_queue_wait_seconds',
    help: 'Time a check that ran waited in the admission queue of its class for a slot (OVERLOAD_QUEUE_TIMEOUT bounds it).',
    labelNames: ['class'] as const,
    buckets: [0, ...SECONDS],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set(BUILD_INFO, 1);
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
