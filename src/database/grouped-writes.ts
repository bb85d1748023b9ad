/** One caller's rows, and how it learns that they are written. */
interface Waiting<T> {
  rows: T[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for an append-only table (docs/performance.md, "Refusals"): the rows that callers hand
 * in during one turn of the event loop are written by one multi-row INSERT in the loop's check phase, and
 * every caller's promise resolves once that INSERT has committed, never before. On SQLite each commit is
 * an fsync of the write-ahead log (synchronous=FULL) on the event loop itself: one per request made
 * concurrent refusals cost a disk flush each; one per turn costs the same flush once for all of them.
 * When a grouped INSERT fails, each caller's rows are written again alone, so that one caller's bad row
 * (or an outage) fails that caller as its own INSERT would have, and no other.
 */
export class GroupedWrites<T> {
  private waiting: Waiting<T>[] | null = null;

  constructor(
    private readonly insert: (rows: T[]) => Promise<void>,
    private readonly maxRows: number,
  ) {}

  /** Resolves when `rows` are committed, with those of the callers of the same turn. */
  write(rows: T[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (!this.waiting) {
        this.waiting = [];
        setImmediate(() => void this.flush());
      }
      this.waiting.push({ rows, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const all = this.waiting ?? [];
    this.waiting = null;
    // Callers in order, none split across two INSERTs, each INSERT at most maxRows unless one caller has more.
    const groups: Waiting<T>[][] = [];
    let size = 0;
    for (const w of all) {
      if (!groups.length || size + w.rows.length > this.maxRows) {
        groups.push([]);
        size = 0;
      }
      groups[groups.length - 1].push(w);
      size += w.rows.length;
    }
    for (const group of groups) await this.writeGroup(group);
  }

  private async writeGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await this.insert(group.flatMap((w) => w.rows));
      for (const w of group) w.resolve();
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      for (const w of group)
        await this.insert(w.rows).then(
          () => w.resolve(),
          (e: unknown) => w.reject(e),
        );
    }
  }
}
