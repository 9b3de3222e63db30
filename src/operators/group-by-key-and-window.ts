// group-by-key-and-window: a pair [k, values] for each key of each window (Spark's
// groupByKeyAndWindow), values in arrival order.

import { groupByKey } from './group-by-key.ts';
import { windowedForm } from './window.ts';

export const groupByKeyAndWindow = windowedForm(groupByKey, {
  name: 'group-by-key-and-window',
  summary: 'a pair [k, values] for each key of the last LEN, every SLIDE',
  example: `--key-by 'x.user' --group-by-key-and-window 60s/10s`,
});
