import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

const signals = new AsyncLocalStorage<AbortSignal>();

/**
 * The twilio SDK's own HTTP client, pointed at TWILIO_API_URL: the SDK has no base-URL setting, its
 * supported hook is `httpClient` (STACK.md). Each request goes to that origin with Twilio's path and
 * query unchanged, so an egress proxy or gateway sees exactly Twilio's API. A delivery's AbortSignal
 * reaches axios through `withSignal`, so a delivery past DELIVERY_TIMEOUT stops its request.
 */
export class OriginRequestClient extends twilio.RequestClient {
  private readonly base: string;

  constructor(origin: string, timeoutMs: number) {
    // No automatic retry on 429: a retry would outlive DELIVERY_TIMEOUT; Plaid retries after retry_at.
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
    this.base = origin.replace(/\/+$/, '');
    this.axios.interceptors.request.use((config) => {
      const signal = signals.getStore();
      if (signal) config.signal = signal;
      return config;
    });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const twilioUrl = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.base}${twilioUrl.pathname}${twilioUrl.search}` });
  }

  /** Runs `call` with `signal` attached to every request it makes. */
  static withSignal<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    return signals.run(signal, call);
  }
}
