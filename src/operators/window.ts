// window: makes the aggregate after it run over the last LEN of batches, emitted every SLIDE.

import type { ModifierOperator } from './operator.ts';

export const window: ModifierOperator = {
  name: 'window',
  summary: 'run the next aggregate over the last LEN, every SLIDE (default: the batch interval)',
  group: 'window',
  arg: { kind: 'window', metavar: 'LEN[/SLIDE]' },
  example: `--window 60s/10s --count-by-value`,
  modifies: 'aggregate',
};
