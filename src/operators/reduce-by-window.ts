// reduce-by-window: each window folded to one record with E(a, b) (Spark's reduceByWindow); with
// --inverse kept up to date by undoing the batch that leaves.

import type { AggregateOperator } from './operator.ts';
import { reduce } from './reduce.ts';
import { checkInverse, INVERSE_OPTIONS } from './reduce-by-key.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, OVER_OPTION, overWindow } from './window.ts';

export const reduceByWindow: AggregateOperator = {
  name: 'reduce-by-window',
  kind: 'aggregate',
  summary: 'fold each window (--over LEN[/SLIDE]) to one record with E(a, b)',
  group: 'window',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  options: { ...OVER_OPTION, ...INVERSE_OPTIONS, ...EVENT_TIME_OPTIONS },
  example: `--map 'x.bytes' --reduce-by-window 'a + b' --over 60s/10s --inverse 'a - b'`,
  aggregate: reduce.aggregate,
  windowOf: overWindow,
  check: (op) => checkInverse(op) ?? checkEventTime(op),
};
