// combine-by-key: Spark's combineByKey, given as one expression that evaluates to
// [createCombiner(v), mergeValue(c, v), mergeCombiners(c1, c2)].

import { KeyMap, savedAsEntries } from './keymap.ts';
import type { Deferred, Fn } from '../core/expr.ts';
import type { Aggregator } from '../core/stream.ts';
import { asPair, ExpressionFailed, guard, type AggregateOperator } from './operator.ts';

const NEEDS = 'needs an array of three functions [create, add, merge]';

export const combineByKey: AggregateOperator = {
  name: 'combine-by-key',
  kind: 'aggregate',
  summary: 'per key, combine values with [create(v), add(c, v), merge(c1, c2)]',
  group: 'aggregate',
  arg: { kind: 'value', metavar: '[C,A,M]' },
  example: `--combine-by-key '[v => [v, 1], (c, v) => [c[0] + v, c[1] + 1], (a, b) => [a[0] + b[0], a[1] + b[1]]]'`,
  check({ arg }) {
    // what the text shows, without running it; the rest is known when the pipeline is built
    const elements = (arg as Deferred | undefined)?.elements;
    if (elements && (elements.length !== 3 || elements.includes('value'))) return NEEDS;
  },
  aggregate(ctx) {
    let fns: unknown;
    try {
      fns = (ctx.arg as Deferred).evaluate();
    } catch (err) {
      throw new ExpressionFailed(ctx.label, err);
    }
    if (!Array.isArray(fns) || fns.length !== 3 || !fns.every((f) => typeof f === 'function')) throw new ExpressionFailed(ctx.label, NEEDS);
    const [create, add, merge] = fns.map((f: Fn) => guard(ctx.label, f)) as [Fn, Fn, Fn];
    return keyedCombiner(ctx.label, create, add, merge);
  },
};

/** Per key, a combiner made from its first value, added to, and merged across batches: what reduce-by-key is built on, as in Spark. */
export function keyedCombiner(label: string, create: Fn, add: Fn, merge: Fn): Aggregator<KeyMap<unknown>> {
  return {
    empty: () => new KeyMap<unknown>(),
    add(acc, rec) {
      const [k, v] = asPair(rec, label);
      const prev = acc.get(k);
      acc.set(k, prev === undefined ? create(v) : add(prev, v));
      return acc;
    },
    merge(a, b) {
      b.forEach((c, k) => {
        const prev = a.get(k);
        a.set(k, prev === undefined ? c : merge(prev, c));
      });
      return a;
    },
    emit: (acc, out) => acc.forEach((c, k) => out([k, c])),
    ...savedAsEntries,
  };
}
