// count-by-value-and-window: a pair [x, n] for each distinct record of each window (Spark's
// countByValueAndWindow), kept up to date incrementally; a value leaves with its last record.

import { countByValue } from './count-by-value.ts';
import { windowedForm } from './window.ts';

export const countByValueAndWindow = windowedForm(countByValue, {
  name: 'count-by-value-and-window',
  summary: 'a pair [x, n] for each distinct record x of the last LEN, every SLIDE',
  example: `--map 'x.page' --count-by-value-and-window 60s/10s`,
});
