// reduce: the batch folded to one record with E(a, b); nothing for an empty batch, as in Spark.

import { type Fn } from '../expr/compile.ts';
import { guard, type AggregateOperator } from './operator.ts';

const NONE = Symbol('none');

export const reduce: AggregateOperator = {
  name: 'reduce',
  summary: 'fold the batch to one record with E(a, b)',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  example: `--reduce 'a + b'`,
  aggregate(ctx) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    const merge = (a: unknown, b: unknown) => (a === NONE ? b : b === NONE ? a : fn(a, b));
    return {
      empty: () => NONE,
      add: merge,
      merge,
      emit(acc, out) {
        if (acc !== NONE) out(acc);
      },
    };
  },
};
