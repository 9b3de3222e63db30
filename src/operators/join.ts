// join: pairs of this stream and another with the same key, [k, [v, w]] (Spark's join); the outer
// joins are the same with null for the side that has no value.

import { groupSides } from './cogroup.ts';
import type { PairOperator } from './operator.ts';

/** A join that keeps keys missing on the left and/or right, with null in place of the missing value. */
export function joinOperator(name: string, keep: { left: boolean; right: boolean }, summary: string): PairOperator {
  return {
    name,
    kind: 'pair',
    summary,
    group: 'join',
    arg: { kind: 'stream', metavar: 'STREAM' },
    example: `${name}: users`,
    combine: (ctx) => (left, right, out) =>
      groupSides(left, right, ctx.label).forEach(([vs, ws], k) => {
        if (!vs.length && keep.right) vs = [null];
        if (!ws.length && keep.left) ws = [null];
        for (const v of vs) for (const w of ws) out([k, [v, w]]);
      }),
  };
}

export const join = joinOperator('join', { left: false, right: false }, 'pairs with the same key in STREAM: [k, [v, w]]');
