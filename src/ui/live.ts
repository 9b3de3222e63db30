// --live: stdout's latest batch redrawn in place on a terminal, like `watch` fed by the stream:
// the batch time and rates on top, then the records sorted (pairs by value, largest first), as
// many as fit the window.

import { UsageError } from '../core/errors.ts';
import type { Board, Row } from '../io/sinks/sink.ts';
import type { BatchStats } from '../runtime/engine.ts';

/** Home, clear to the end of the screen. */
const CLEAR = '\x1b[H\x1b[J';
const HEADER_LINES = 2;

export interface LiveView {
  board: Board;
  batch(stats: BatchStats): void;
}

export function liveView(batchMs: number, out: NodeJS.WriteStream = process.stdout): LiveView {
  if (!out.isTTY) throw new UsageError('--live redraws the screen, and stdout is not a terminal: leave --live out to write lines (or use --ui PORT)');
  let latest: Row[] = [];
  return {
    board: {
      open: () => (_time, rows) => void (latest = rows),
    },
    batch(stats) {
      const rows = sorted(latest);
      const height = Math.max(1, (out.rows || 24) - HEADER_LINES - 1);
      const width = out.columns || 80;
      const rate = (n: number) => Math.round((n * 1000) / batchMs);
      const header = [
        `Time: ${new Date(stats.time).toISOString()} (${stats.time} ms)   ${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`,
        `in ${rate(stats.recordsIn)}/s   out ${rate(stats.recordsOut)}/s   processing ${stats.processingMs} ms   delay ${stats.delayMs} ms`,
      ];
      const keyWidth = Math.min(Math.max(0, ...rows.slice(0, height).map((r) => r.key.length)), Math.floor(width / 2));
      const lines = rows.slice(0, height).map((r) => (r.value === undefined ? r.key : `${r.key.padEnd(keyWidth)}  ${r.value}`));
      if (rows.length > height) lines[height - 1] = `... ${rows.length - height + 1} more`;
      out.write(CLEAR + [...header, '', ...lines].map((line) => fit(line, width)).join('\n') + '\n');
    },
  };
}

/** Pairs with numeric values largest first, then by key; other records by their text. */
export function sorted(rows: Row[]): Row[] {
  const num = (r: Row) => (r.value === undefined || r.value.trim() === '' ? NaN : Number(r.value));
  return rows.toSorted((a, b) => {
    const x = num(a);
    const y = num(b);
    if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return y - x;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** One screen line: control characters shown as `?` (a record cannot move the cursor), cut to the width. */
function fit(line: string, width: number): string {
  const clean = line.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean;
}
