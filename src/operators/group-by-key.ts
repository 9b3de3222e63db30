// group-by-key: a pair [k, [values...]] for each key, values in arrival order.

import { KeyMap, savedAsEntries } from './keymap.ts';
import { asPair, type AggregateOperator } from './operator.ts';

export const groupByKey: AggregateOperator = {
  name: 'group-by-key',
  kind: 'aggregate',
  summary: 'a pair [k, values] for each key, values in arrival order',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: `--key-by 'x.user' --group-by-key`,
  aggregate(ctx) {
    return {
      empty: () => new KeyMap<unknown[]>(),
      add(groups: KeyMap<unknown[]>, rec) {
        const [k, v] = asPair(rec, ctx.label);
        const values = groups.get(k);
        if (values) values.push(v);
        else groups.set(k, [v]);
        return groups;
      },
      merge(a: KeyMap<unknown[]>, b: KeyMap<unknown[]>) {
        b.forEach((values, k) => {
          const into = a.get(k);
          if (into) into.push(...values);
          else a.set(k, [...values]);
        });
        return a;
      },
      emit: (groups: KeyMap<unknown[]>, out) => groups.forEach((values, k) => out([k, values])),
      ...savedAsEntries,
    };
  },
};
