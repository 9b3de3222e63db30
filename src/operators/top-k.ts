// top-k: the N most frequent values of --of E (the record itself by default) with their counts, as
// pairs [value, count] largest first (with --by, [key, [[value, count], ...]] per key), from a Misra-Gries summary of fixed size (Agarwal et al., "Mergeable
// summaries", 2012): a count is at most total / (capacity + 1) below the true one, and summaries merge
// with the same bound, so a window's is its panes' merged. Written here: bloom-filters' TopK cannot
// be merged (its heap keeps no counts of what it evicts) and takes some 15 µs a value.

import type { Fn } from '../core/expr.ts';
import type { AggregateOperator } from './operator.ts';
import { BY_OPTION, sketchAggregator, textOf, type SketchKind } from './sketch.ts';

/** How many values a summary tracks for a top N: the error bound is total / (capacity + 1). */
export const capacityFor = (n: number) => Math.max(1024, 32 * n);

interface Counted {
  value: unknown;
  n: number;
}

/** A Misra-Gries summary: at most 2 × capacity counters, cut back to capacity when full. */
export class Frequent {
  readonly counts = new Map<string, Counted>();
  private readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  add(value: unknown, n = 1): void {
    const key = textOf(value);
    const counted = this.counts.get(key);
    if (counted) counted.n += n;
    else this.counts.set(key, { value, n });
    if (this.counts.size > 2 * this.capacity) this.cut();
  }

  merge(other: Frequent): void {
    for (const { value, n } of other.counts.values()) this.add(value, n);
  }

  /** The N largest, largest first (ties in the order first seen). */
  top(n: number): [unknown, number][] {
    return [...this.counts.values()].sort((a, b) => b.n - a.n).slice(0, n).map(({ value, n: count }) => [value, count]);
  }

  /** Subtract the (capacity + 1)-th largest count from every counter and drop those at 0: each count loses at most total / (capacity + 1). */
  private cut(): void {
    const sorted = [...this.counts.values()].map((c) => c.n).sort((a, b) => b - a);
    const delta = sorted[this.capacity]!;
    for (const [key, counted] of this.counts) {
      counted.n -= delta;
      if (counted.n <= 0) this.counts.delete(key);
    }
  }
}

function frequentKind(n: number): SketchKind<Frequent> {
  const capacity = capacityFor(n);
  return {
    create: () => new Frequent(capacity),
    add: (summary, value) => summary.add(value),
    merge: (into, other) => into.merge(other),
    result: (summary) => summary.top(n),
    spread: true,
    save: (summary) => [...summary.counts.values()].map(({ value, n: count }) => [value, count]),
    load(saved) {
      const summary = new Frequent(capacity);
      for (const [value, count] of saved as [unknown, number][]) summary.add(value, count);
      return summary;
    },
  };
}

export const topK: AggregateOperator = {
  name: 'top-k',
  kind: 'aggregate',
  summary: 'the N most frequent values of --of E (default: the record) as pairs [value, count], largest first (a mergeable Misra-Gries summary)',
  group: 'aggregate',
  arg: { kind: 'int', min: 1, max: 100_000, metavar: 'N' },
  options: {
    ...BY_OPTION,
    of: { arg: { kind: 'expr', role: 'record', metavar: 'E' }, summary: 'top-k: the value counted (default: the record itself)' },
  },
  example: `--flat-map 'x.split(" ")' --top-k 3`,
  aggregate(ctx) {
    return sketchAggregator(ctx, (ctx.options.of as Fn | undefined) ?? ((x: unknown) => x), frequentKind(ctx.arg as number));
  },
};
