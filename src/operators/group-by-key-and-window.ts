// group-by-key-and-window: a pair [k, values] for each key of each window (Spark's
// groupByKeyAndWindow), values in arrival order.

import { groupByKey } from './group-by-key.ts';
import type { AggregateOperator, WindowSpec } from './operator.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, withEventTime } from './window.ts';

export const groupByKeyAndWindow: AggregateOperator = {
  name: 'group-by-key-and-window',
  kind: 'aggregate',
  summary: 'a pair [k, values] for each key of the last LEN, every SLIDE',
  group: 'window',
  arg: { kind: 'window', metavar: 'LEN[/SLIDE]' },
  options: EVENT_TIME_OPTIONS,
  example: `--key-by 'x.user' --group-by-key-and-window 60s/10s`,
  aggregate: groupByKey.aggregate,
  windowOf: (arg, options) => withEventTime(arg as WindowSpec, options),
  check: checkEventTime,
};
