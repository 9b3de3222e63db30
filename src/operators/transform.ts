// transform: the whole batch as an array x; E returns the new batch (Spark's transform).

import { type Fn } from '../core/expr.ts';
import { ExpressionFailed, guard, preview, type StageOperator } from './operator.ts';

export const transform: StageOperator = {
  name: 'transform',
  kind: 'stage',
  summary: 'replace the whole batch, as an array x, with the array E',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'batch', metavar: 'E' },
  example: `--transform 'x.sort().slice(0, 3)'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    let batch: unknown[] = [];
    return {
      begin(time) {
        batch = [];
        next.begin(time);
      },
      push(rec) {
        batch.push(rec);
      },
      end(last) {
        const out = fn(batch);
        batch = [];
        if (out == null || typeof out[Symbol.iterator] !== 'function' || typeof out === 'string') {
          throw new ExpressionFailed(ctx.label, new TypeError(`must return an array, got ${preview(out)}`));
        }
        for (const rec of out) next.push(rec);
        return next.end(last);
      },
    };
  },
};
