// reduce-by-key-and-window: the values of each key of each window folded with E(a, b) (Spark's
// reduceByKeyAndWindow); with --inverse kept up to date by undoing the batch that leaves.

import type { AggregateOperator } from './operator.ts';
import { checkInverse, reduceByKey } from './reduce-by-key.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, OVER_OPTION, overWindow } from './window.ts';

export const reduceByKeyAndWindow: AggregateOperator = {
  name: 'reduce-by-key-and-window',
  kind: 'aggregate',
  summary: 'fold the values of each key of each window (--over LEN[/SLIDE]) with E(a, b)',
  group: 'window',
  arg: { kind: 'expr', role: 'reduce', metavar: 'E' },
  options: { ...OVER_OPTION, ...reduceByKey.options, ...EVENT_TIME_OPTIONS },
  example: `--map '[x, 1]' --reduce-by-key-and-window 'a + b' --over 30s/10s --inverse 'a - b'`,
  aggregate: reduceByKey.aggregate,
  windowOf: overWindow,
  check: (op) => checkInverse(op) ?? checkEventTime(op),
};
