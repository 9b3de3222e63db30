// count-by-window: the number of records in each window (Spark's countByWindow), kept up to date
// incrementally as batches enter and leave it.

import { count } from './count.ts';
import { windowedForm } from './window.ts';

export const countByWindow = windowedForm(count, {
  name: 'count-by-window',
  summary: 'the number of records in the last LEN, every SLIDE',
  example: '--count-by-window 60s/10s',
});
