// reduce: the batch folded to one record with E(a, b); nothing for an empty batch, as in Spark.
// Over a window, --inverse undoes the batch that leaves instead of folding the window again.

import type { Aggregator } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { guard, type AggregateOperator } from './operator.ts';
import { checkInverse, INVERSE_OPTIONS, type Tally } from './reduce-by-key.ts';

const NONE = Symbol('none');

export const reduce: AggregateOperator = {
  name: 'reduce',
  kind: 'aggregate',
  summary: 'fold the batch to one record with E(a, b)',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  options: INVERSE_OPTIONS,
  example: `--reduce 'a + b'`,
  check: checkInverse,
  aggregate(ctx) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    if (ctx.options.inverse !== undefined) return invertible(fn, guard(ctx.label, ctx.options.inverse as Fn));
    const merge = (a: unknown, b: unknown) => (a === NONE ? b : b === NONE ? a : fn(a, b));
    return {
      empty: () => NONE,
      add: merge,
      merge,
      emit(acc, out) {
        if (acc !== NONE) out(acc);
      },
      save: (acc) => (acc === NONE ? [] : [acc]),
      load: (saved) => ((saved as unknown[]).length ? (saved as unknown[])[0] : NONE),
    };
  },
};

/** Tallies are never changed in place, so a window's running result can share them with its batches. */
function invertible(fn: Fn, inverse: Fn): Aggregator<Tally> {
  return {
    empty: () => ({ value: undefined, n: 0 }),
    add: (t, rec) => (t.n ? { value: fn(t.value, rec), n: t.n + 1 } : { value: rec, n: 1 }),
    merge: (a, b) => (!b.n ? a : !a.n ? b : { value: fn(a.value, b.value), n: a.n + b.n }),
    subtract: (a, b) => (!b.n ? a : a.n <= b.n ? { value: undefined, n: 0 } : { value: inverse(a.value, b.value), n: a.n - b.n }),
    emit(t, out) {
      if (t.n) out(t.value);
    },
  };
}
