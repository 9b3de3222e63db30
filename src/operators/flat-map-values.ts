// flat-map-values: [k, v] becomes [k, w] for each element w of E.

import { recordStage } from '../core/stream.ts';
import { type Fn } from '../core/expr.ts';
import { asPair, guard, type StageOperator } from './operator.ts';

export const flatMapValues: StageOperator = {
  name: 'flat-map-values',
  kind: 'stage',
  perRecord: true,
  summary: 'replace each pair [k, v] with a pair [k, w] for each element w of the array E',
  group: 'stateless',
  arg: { kind: 'expr', role: 'value', metavar: 'E' },
  example: `--flat-map-values 'v.split(",")'`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    return recordStage(next, (rec) => {
      const [k, v] = asPair(rec, ctx.label);
      const out = fn(v, k);
      if (!Array.isArray(out)) next.push([k, out]);
      else for (let i = 0; i < out.length; i++) next.push([k, out[i]]);
    });
  },
};
