/**
 * docs/credential-sources.md: after `failures` upstream failures in a row, stop calling for `cooldownMs`
 * (answering 503 at once), then let exactly one call through to probe: its success closes the
 * breaker, its failure opens it for another cooldown. Per process: each replica judges the upstream
 * as it sees it.
 */
export class CircuitBreaker {
  private failuresInARow = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    /** What it guards, as the `breaker` label of `pxauth_breaker_open` (docs/operations.md, "Metrics"). */
    readonly name: string,
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go upstream now; when it may not, `retryAt` says when one will. */
  admit(): { ok: true; probe: boolean } | { ok: false; retryAt: Date } {
    if (this.failuresInARow < this.failures) return { ok: true, probe: false };
    const now = this.now();
    if (now < this.openUntil || this.probing)
      return { ok: false, retryAt: new Date(Math.max(this.openUntil, now + 1000)) };
    this.probing = true;
    return { ok: true, probe: true };
  }

  succeeded(): void {
    this.failuresInARow = 0;
    this.probing = false;
  }

  failed(): void {
    this.failuresInARow++;
    this.probing = false;
    if (this.failuresInARow >= this.failures) this.openUntil = this.now() + this.cooldownMs;
  }

  /** A call that ended neither way (a bug, not the upstream): a probe is released, nothing is judged. */
  abandoned(): void {
    this.probing = false;
  }

  get open(): boolean {
    return this.failuresInARow >= this.failures;
  }
}
