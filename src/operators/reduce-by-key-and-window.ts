// reduce-by-key-and-window: the values of each key of each window folded with E(a, b) (Spark's
// reduceByKeyAndWindow); with --inverse kept up to date by undoing the batch that leaves.

import { reduceByKey } from './reduce-by-key.ts';
import { windowedForm } from './window.ts';

export const reduceByKeyAndWindow = windowedForm(reduceByKey, {
  name: 'reduce-by-key-and-window',
  summary: 'fold the values of each key of each window (--over LEN[/SLIDE]) with E(a, b)',
  example: `--map '[x, 1]' --reduce-by-key-and-window 'a + b' --over 30s/10s --inverse 'a - b'`,
});
