// union: this stream's records followed by STREAM's, batch by batch (Spark's union).

import type { PairOperator } from './operator.ts';

export const union: PairOperator = {
  name: 'union',
  kind: 'pair',
  summary: "add STREAM's records to this stream's, batch by batch",
  group: 'join',
  arg: { kind: 'stream', metavar: 'STREAM' },
  example: 'union: other',
  combine: () => (left, right, out) => {
    for (const rec of left) out(rec);
    for (const rec of right) out(rec);
  },
};
