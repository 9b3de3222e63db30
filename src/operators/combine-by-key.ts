// combine-by-key: Spark's combineByKey, given as one expression that evaluates to
// [createCombiner(v), mergeValue(c, v), mergeCombiners(c1, c2)].

import { KeyMap } from './keymap.ts';
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

/** A combiner in a box: a key met again is looked up once, not looked up and then set (most records are). */
interface Combiner {
  c: unknown;
}

/** Per key, a combiner made from its first value, added to, and merged across batches: what reduce-by-key is built on, as in Spark. */
export function keyedCombiner(label: string, create: Fn, add: Fn, merge: Fn): Aggregator<KeyMap<Combiner>> {
  return {
    empty: () => new KeyMap<Combiner>(),
    add(acc, rec) {
      const [k, v] = asPair(rec, label);
      const box = acc.get(k);
      if (box) box.c = add(box.c, v);
      else acc.set(k, { c: create(v) });
      return acc;
    },
    // the boxes of `b` are not shared: `b` may be a window's pane, merged again into the next window
    merge(a, b) {
      b.forEach(({ c }, k) => {
        const box = a.get(k);
        if (box) box.c = merge(box.c, c);
        else a.set(k, { c });
      });
      return a;
    },
    emit: (acc, out) => acc.forEach(({ c }, k) => out([k, c])),
    // saved as [key, combiner] entries: a checkpoint holds the combiners, not their boxes
    save: (acc) => [...acc.entries()].map(([k, { c }]) => [k, c]),
    load: (saved) => KeyMap.from((saved as [unknown, unknown][]).map(([k, c]) => [k, { c }])),
  };
}
