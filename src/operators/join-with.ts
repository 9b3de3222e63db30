// join-with: joins each pair [k, v] with the rows for k of a static table file: [k, [v, row]] per
// row, as Spark's join with a static RDD; pairs without a row are dropped. The file is read once
// and again whenever it changes.

import { KeyMap } from './keymap.ts';
import type { Downstream } from '../core/stream.ts';
import { Table, type Row } from './table.ts';
import { asPair, type OpContext, type StageOperator } from './operator.ts';

export const joinWith: StageOperator = {
  name: 'join-with',
  kind: 'stage',
  summary: 'join each pair [k, v] with the rows for k of a CSV/TSV/JSON/NDJSON table: [k, [v, row]]',
  group: 'join',
  arg: { kind: 'path', metavar: 'FILE' },
  example: `--key-by 'x.user' --join-with users.csv`,
  stage: (ctx, next) => tableJoin(ctx, next, false),
};

/** The join stage; `outer` keeps pairs without a row as [k, [v, null]]. */
export function tableJoin(ctx: OpContext, next: Downstream, outer: boolean): Downstream {
  const table = new Table(ctx.arg as string, ctx.label);
  let rows = byKey(table.rows().rows);
  return {
    begin(time) {
      const read = table.rows();
      if (read.changed) rows = byKey(read.rows);
      next.begin(time);
    },
    push(rec) {
      const [k, v] = asPair(rec, ctx.label);
      const matches = rows.get(k);
      if (matches) for (const row of matches) next.push([k, [v, row]]);
      else if (outer) next.push([k, [v, null]]);
    },
    end: (last) => next.end(last),
  };
}

function byKey(rows: Row[]): KeyMap<unknown[]> {
  const map = new KeyMap<unknown[]>();
  for (const [k, row] of rows) {
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}
