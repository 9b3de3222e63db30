// count-by-value: a pair [value, count] for each distinct record of the batch.

import { KeyMap } from './keymap.ts';
import type { AggregateOperator } from './operator.ts';

/** A count in a box: a record counted again is looked up once, not looked up and then set (most records are). */
interface Count {
  n: number;
}

export const countByValue: AggregateOperator = {
  name: 'count-by-value',
  kind: 'aggregate',
  summary: 'a pair [x, n] for each distinct record x, n its count',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: '--count-by-value',
  aggregate: () => ({
    empty: () => new KeyMap<Count>(),
    add(counts: KeyMap<Count>, rec) {
      const count = counts.get(rec);
      if (count) count.n++;
      else counts.set(rec, { n: 1 });
      return counts;
    },
    // the boxes of `b` are not shared: a window subtracts it later from what it was merged into
    merge(a: KeyMap<Count>, b: KeyMap<Count>) {
      b.forEach(({ n }, key) => {
        const count = a.get(key);
        if (count) count.n += n;
        else a.set(key, { n });
      });
      return a;
    },
    subtract(a: KeyMap<Count>, b: KeyMap<Count>) {
      b.forEach(({ n }, key) => {
        const count = a.get(key);
        if (!count || count.n <= n) a.delete(key);
        else count.n -= n;
      });
      return a;
    },
    emit: (counts: KeyMap<Count>, out) => counts.forEach(({ n }, key) => out([key, n])),
    // saved as [value, count] entries: a checkpoint holds the counts, not their boxes
    save: (counts: KeyMap<Count>): unknown => [...counts.entries()].map(([key, { n }]) => [key, n]),
    load: (saved: unknown) => KeyMap.from((saved as [unknown, number][]).map(([key, n]) => [key, { n }])),
  }),
};
