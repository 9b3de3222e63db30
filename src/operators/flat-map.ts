// flat-map: each record becomes zero or more records, as Array.prototype.flatMap does.

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { guard, type StageOperator } from './operator.ts';

export const flatMap: StageOperator = {
  name: 'flat-map',
  kind: 'stage',
  perRecord: true,
  summary: 'replace each record x with the elements of the array E (a non-array is one record)',
  group: 'stateless',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  example: `--flat-map 'x.split(" ")'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => {
      const out = fn(rec);
      if (!Array.isArray(out)) next.push(out);
      else for (let i = 0; i < out.length; i++) next.push(out[i]);
    });
  },
};
