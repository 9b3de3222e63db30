// count-by-window: the number of records in each window (Spark's countByWindow), kept up to date
// incrementally as batches enter and leave it.

import { count } from './count.ts';
import type { AggregateOperator, WindowSpec } from './operator.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, withEventTime } from './window.ts';

export const countByWindow: AggregateOperator = {
  name: 'count-by-window',
  kind: 'aggregate',
  summary: 'the number of records in the last LEN, every SLIDE',
  group: 'window',
  arg: { kind: 'window', metavar: 'LEN[/SLIDE]' },
  options: EVENT_TIME_OPTIONS,
  example: '--count-by-window 60s/10s',
  aggregate: count.aggregate,
  windowOf: (arg, options) => withEventTime(arg as WindowSpec, options),
  check: checkEventTime,
};
