// cogroup: per key, the values of this stream and of the other one in the batch (Spark's cogroup);
// the joins are built on the same grouping.

import { KeyMap } from './keymap.ts';
import type { Rec } from '../core/stream.ts';
import { asPair, type PairOperator } from './operator.ts';

/** Every key of either side with its values from each side, in order of first appearance. */
export function groupSides(left: Rec[], right: Rec[], label: string): KeyMap<[unknown[], unknown[]]> {
  const groups = new KeyMap<[unknown[], unknown[]]>();
  for (const [i, side] of [left, right].entries()) {
    for (const rec of side) {
      const [k, v] = asPair(rec, label);
      let group = groups.get(k);
      if (!group) groups.set(k, (group = [[], []]));
      group[i]!.push(v);
    }
  }
  return groups;
}

export const cogroup: PairOperator = {
  name: 'cogroup',
  kind: 'pair',
  summary: 'per key, [k, [values here, values in STREAM]] for every key of either',
  group: 'join',
  arg: { kind: 'stream', metavar: 'STREAM' },
  example: 'cogroup: users',
  combine: (ctx) => (left, right, out) => groupSides(left, right, ctx.label).forEach((group, k) => out([k, group])),
};
