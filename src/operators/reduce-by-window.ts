// reduce-by-window: each window folded to one record with E(a, b) (Spark's reduceByWindow); with
// --inverse kept up to date by undoing the batch that leaves.

import { reduce } from './reduce.ts';
import { windowedForm } from './window.ts';

export const reduceByWindow = windowedForm(reduce, {
  name: 'reduce-by-window',
  summary: 'fold each window (--over LEN[/SLIDE]) to one record with E(a, b)',
  example: `--map 'x.bytes' --reduce-by-window 'a + b' --over 60s/10s --inverse 'a - b'`,
});
