// map: each record becomes the value of E.

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { guard, type StageOperator } from './operator.ts';

export const map: StageOperator = {
  name: 'map',
  kind: 'stage',
  perRecord: true,
  summary: 'replace each record x with E',
  group: 'stateless',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  example: `--map 'x.toUpperCase()'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => next.push(fn(rec)));
  },
};
