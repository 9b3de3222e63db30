// Durations as written on the command line and in pipeline files: 250ms, 1s, 1.5m, 2h, 1d.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds of a duration, or a message saying what is wrong. */
export function parseDuration(text: string): number | { error: string } {
  const m = DURATION.exec(text);
  if (!m) return { error: `bad duration '${text}': use a number and a unit, e.g. 250ms, 10s, 5m, 1h` };
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isInteger(ms) || ms <= 0) return { error: `bad duration '${text}': must be a whole, positive number of milliseconds` };
  if (!Number.isSafeInteger(ms)) return { error: `bad duration '${text}': too long to count in milliseconds` };
  return ms;
}

/** The shortest exact way to write `ms` as a duration. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  }
  return `${ms}ms`;
}
