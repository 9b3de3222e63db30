// count-by-value-and-window: a pair [x, n] for each distinct record of each window (Spark's
// countByValueAndWindow), kept up to date incrementally; a value leaves with its last record.

import { countByValue } from './count-by-value.ts';
import type { AggregateOperator, WindowSpec } from './operator.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, withEventTime } from './window.ts';

export const countByValueAndWindow: AggregateOperator = {
  name: 'count-by-value-and-window',
  kind: 'aggregate',
  summary: 'a pair [x, n] for each distinct record x of the last LEN, every SLIDE',
  group: 'window',
  arg: { kind: 'window', metavar: 'LEN[/SLIDE]' },
  options: EVENT_TIME_OPTIONS,
  example: `--map 'x.page' --count-by-value-and-window 60s/10s`,
  aggregate: countByValue.aggregate,
  windowOf: (arg, options) => withEventTime(arg as WindowSpec, options),
  check: checkEventTime,
};
