// filter: keep the records for which E is truthy.

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { guard, type StageOperator } from './operator.ts';

export const filter: StageOperator = {
  name: 'filter',
  kind: 'stage',
  perRecord: true,
  summary: 'keep the records x for which E is truthy',
  group: 'stateless',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  example: `--filter 'x.status >= 500'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => {
      if (fn(rec)) next.push(rec);
    });
  },
};
