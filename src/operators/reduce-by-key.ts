// reduce-by-key: the values of each key folded with E(a, b).

import { KeyMap } from '../engine/keymap.ts';
import { type Fn } from '../expr/compile.ts';
import { asPair, guard, type AggregateOperator } from './operator.ts';

export const reduceByKey: AggregateOperator = {
  name: 'reduce-by-key',
  summary: 'fold the values of each key with E(a, b), giving pairs [k, value]',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  options: {
    inverse: { arg: { kind: 'expr', role: 'reduce', metavar: 'E' }, summary: "after a window: undo E for the batch leaving the window (Spark's invFunc)" },
  },
  example: `--map '[x, 1]' --reduce-by-key 'a + b'`,
  aggregate(ctx) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return {
      empty: () => new KeyMap<unknown>(),
      add(acc: KeyMap<unknown>, rec) {
        const [k, v] = asPair(rec, ctx.label);
        const prev = acc.get(k);
        acc.set(k, prev === undefined ? v : fn(prev, v));
        return acc;
      },
      merge(a: KeyMap<unknown>, b: KeyMap<unknown>) {
        b.forEach((v, k) => {
          const prev = a.get(k);
          a.set(k, prev === undefined ? v : fn(prev, v));
        });
        return a;
      },
      emit: (acc: KeyMap<unknown>, out) => acc.forEach((v, k) => out([k, v])),
    };
  },
};
