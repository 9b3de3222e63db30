// count: one record per batch, the number of records in it (0 for an empty batch).

import type { AggregateOperator } from './operator.ts';

export const count: AggregateOperator = {
  name: 'count',
  kind: 'aggregate',
  summary: 'the number of records in the batch',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: '--count',
  aggregate: () => ({
    empty: () => 0,
    add: (n: number) => n + 1,
    merge: (a: number, b: number) => a + b,
    subtract: (a: number, b: number) => a - b,
    emit: (n: number, out) => out(n),
  }),
};
