// reduce-by-key: the values of each key folded with E(a, b), Spark's combineByKey with the value as
// its combiner; over a window with --inverse, kept up to date by folding in the batch that enters and
// undoing the one that leaves (Spark's invFunc).

import { keyedCombiner } from './combine-by-key.ts';
import { KeyMap } from './keymap.ts';
import type { Aggregator } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { asPair, guard, type AggregateOperator, type ArgSpec, type OpContext } from './operator.ts';

export const INVERSE_OPTIONS: Record<string, { arg: ArgSpec; summary: string }> = {
  inverse: {
    arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
    summary: "over a window: E(a, b) undoes the reduce for the batch leaving it, so windows cost no more when longer (Spark's invFunc)",
  },
};

/** A problem with the inverse options: they only make sense over a window. */
export function checkInverse({ options, window }: Pick<OpContext, 'options' | 'window'>): string | undefined {
  if (options.inverse !== undefined && !window) return 'inverse only applies over a window: put a window before it';
  if (options.keep !== undefined && options.inverse === undefined) return 'keep needs inverse';
  return undefined;
}

export const reduceByKey: AggregateOperator = {
  name: 'reduce-by-key',
  kind: 'aggregate',
  summary: 'fold the values of each key with E(a, b), giving pairs [k, value]',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  options: {
    ...INVERSE_OPTIONS,
    keep: {
      arg: { kind: 'expr', role: 'value', metavar: 'E' },
      summary: "with --inverse: keep a key in the window while E(v, k) holds (Spark's filterFunc); default: while any of its records are in it",
    },
  },
  example: `--map '[x, 1]' --reduce-by-key 'a + b'`,
  check: checkInverse,
  aggregate(ctx) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    if (ctx.options.inverse !== undefined) return invertible(ctx, fn, guard(ctx.label, ctx.options.inverse as Fn));
    return keyedCombiner(ctx.label, (v) => v, fn, fn);
  },
};

/** A value and the number of records folded into it: at 0 nothing of them is left. */
export interface Tally {
  value: unknown;
  n: number;
}

function invertible(ctx: OpContext, fn: Fn, inverse: Fn): Aggregator<KeyMap<Tally>> {
  const keep = ctx.options.keep === undefined ? undefined : guard(ctx.label, ctx.options.keep as Fn);
  return {
    empty: () => new KeyMap<Tally>(),
    add(acc, rec) {
      const [k, v] = asPair(rec, ctx.label);
      const tally = acc.get(k);
      if (tally === undefined) acc.set(k, { value: v, n: 1 });
      else {
        tally.value = fn(tally.value, v);
        tally.n++;
      }
      return acc;
    },
    merge(a, b) {
      b.forEach((t, k) => {
        const into = a.get(k);
        if (into === undefined) a.set(k, { ...t });
        else {
          into.value = fn(into.value, t.value);
          into.n += t.n;
        }
      });
      return a;
    },
    subtract(a, b) {
      b.forEach((t, k) => {
        const from = a.get(k);
        if (from === undefined) return; // dropped by keep: as in Spark, it restarts from new values
        from.n -= t.n;
        if (from.n <= 0 && !keep) a.delete(k);
        else from.value = inverse(from.value, t.value);
      });
      return a;
    },
    emit(acc, out) {
      acc.forEach((t, k) => {
        if (!keep || keep(t.value, k)) out([k, t.value]);
        else acc.delete(k);
      });
    },
    save: (acc) => [...acc.entries()].map(([k, t]) => [k, t.value, t.n]),
    load: (saved) => KeyMap.from((saved as [unknown, unknown, number][]).map(([k, value, n]) => [k, { value, n }])),
  };
}
