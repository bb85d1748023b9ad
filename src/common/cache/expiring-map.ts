/**
 * A bounded map whose entries expire `ttlMs` after they are set: what a process may trust for a few
 * seconds without asking the database again (staff keys, Plaid client secrets; docs/api.md). Full at
 * `max`, it starts again empty: callers set only what they found, so wrong keys or secrets cannot fill
 * it, and the bound is a backstop for many right ones.
 */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  /** The value set for `key` less than `ttlMs` ago, if any. */
  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > now ? entry.value : undefined;
  }

  set(key: K, value: V, now = Date.now()): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets every entry whose value `matches`. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }
}
