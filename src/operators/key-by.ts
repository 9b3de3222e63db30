// key-by: x becomes the pair [E, x].

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { guard, type StageOperator } from './operator.ts';

export const keyBy: StageOperator = {
  name: 'key-by',
  kind: 'stage',
  perRecord: true,
  summary: 'make each record x the pair [E, x]',
  group: 'stateless',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  example: `--key-by 'x.user'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => next.push([fn(rec), rec]));
  },
};
