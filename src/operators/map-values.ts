// map-values: [k, v] becomes [k, E], the key untouched.

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { asPair, guard, type StageOperator } from './operator.ts';

export const mapValues: StageOperator = {
  name: 'map-values',
  kind: 'stage',
  perRecord: true,
  summary: 'replace the value v of each pair [k, v] with E (x is v too)',
  group: 'stateless',
  arg: { kind: 'expr', role: 'value', metavar: 'E' },
  example: `--map-values 'v * 2'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => {
      const [k, v] = asPair(rec, ctx.label);
      next.push([k, fn(v, k)]);
    });
  },
};
