// count-by-value: a pair [value, count] for each distinct record of the batch.

import { KeyMap, savedAsEntries } from './keymap.ts';
import type { AggregateOperator } from './operator.ts';

export const countByValue: AggregateOperator = {
  name: 'count-by-value',
  kind: 'aggregate',
  summary: 'a pair [x, n] for each distinct record x, n its count',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: '--count-by-value',
  aggregate: () => ({
    empty: () => new KeyMap<number>(),
    add(counts: KeyMap<number>, rec) {
      counts.set(rec, (counts.get(rec) ?? 0) + 1);
      return counts;
    },
    merge(a: KeyMap<number>, b: KeyMap<number>) {
      b.forEach((n, key) => a.set(key, (a.get(key) ?? 0) + n));
      return a;
    },
    subtract(a: KeyMap<number>, b: KeyMap<number>) {
      b.forEach((n, key) => {
        const left = (a.get(key) ?? 0) - n;
        if (left > 0) a.set(key, left);
        else a.delete(key);
      });
      return a;
    },
    emit: (counts: KeyMap<number>, out) => counts.forEach((n, key) => out([key, n])),
    ...savedAsEntries,
  }),
};
