// transform-with: this batch and STREAM's as arrays a and b; `apply` returns the new batch (Spark's transformWith).

import { type Fn } from '../core/expr.ts';
import { ExpressionFailed, guard, preview, type PairOperator } from './operator.ts';

export const transformWith: PairOperator = {
  name: 'transform-with',
  kind: 'pair',
  summary: "replace the batch with apply(a, b), a this batch and b STREAM's, as arrays",
  group: 'join',
  arg: { kind: 'stream', metavar: 'STREAM' },
  options: {
    apply: { arg: { kind: 'expr', role: 'reduce', metavar: 'E' }, summary: 'the new batch from a (this batch) and b (the other)', required: true },
  },
  example: '{ transform-with: users, apply: "(a, b) => a.filter((x) => b.includes(x))" }',
  combine(ctx) {
    const fn = guard(ctx.label, ctx.options.apply as Fn);
    return (left, right, out) => {
      const result = fn(left, right);
      if (!Array.isArray(result)) throw new ExpressionFailed(ctx.label, new TypeError(`apply must return an array, got ${preview(result)}`));
      for (const rec of result) out(rec);
    };
  },
};
