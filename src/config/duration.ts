// Durations in settings: "30s", "15m", "24h", "395d", "250ms", or a bare number of seconds.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(raw: string): number | undefined {
  const m = /^\s*(\d+)\s*(ms|s|min|m|h|d)?\s*$/.exec(raw);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] ?? 's'];
}
