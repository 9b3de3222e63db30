// Virtual time: batches fed on a counter instead of a clock (batch i at (first + i) × interval), and
// a downstream that keeps every batch it sees. `sluice test` and the unit tests both run on it, as
// Spark's TestSuiteBase feeds input batches and collects output batches on a manual clock.

import { setBatchTime } from './expr.ts';
import type { Downstream, Rec } from './stream.ts';

export interface Batch {
  time: number;
  records: Rec[];
}

/** A downstream that keeps every batch it sees, in order. */
export function collector(): Downstream & { batches: Batch[] } {
  const batches: Batch[] = [];
  return {
    batches,
    begin: (time) => void batches.push({ time, records: [] }),
    push: (rec) => void batches.at(-1)!.records.push(rec),
    end: () => {},
  };
}

export interface FeedOptions {
  batchMs: number;
  /** The number of the first batch: it opens at first × batchMs (default 1, as Spark's tests count). */
  first?: number;
  /** The last batch closes as the end of the input closes it: what waits (windows) comes out. */
  inputEnds?: boolean;
}

/** Open, fill and close `count` batches of `target` one after the other; `fill(i)` feeds batch i. */
export async function feedBatches(target: Pick<Downstream, 'begin' | 'end'>, count: number, fill: (i: number) => void, options: FeedOptions): Promise<void> {
  const { batchMs, first = 1, inputEnds = false } = options;
  for (let i = 0; i < count; i++) {
    setBatchTime((first + i) * batchMs);
    target.begin((first + i) * batchMs);
    fill(i);
    await target.end(inputEnds && i === count - 1);
  }
}

/** Batches with their records in a stable order, for aggregates that promise no order within a batch (Spark's useSet). */
export function unordered(batches: Batch[]): Batch[] {
  return batches.map(({ time, records }) => ({ time, records: records.map((r) => JSON.stringify(r) ?? 'undefined').sort().map((r) => (r === 'undefined' ? undefined : JSON.parse(r))) }));
}
