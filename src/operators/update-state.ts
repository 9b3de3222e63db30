// update-state: Spark's updateStateByKey. Each batch, for every key with state or new values,
// E(values, state, k) gives the key's new state (undefined deletes it); every [k, state] is emitted.

import { KeyMap } from './keymap.ts';
import { IoError } from '../core/errors.ts';
import { readTable } from './table.ts';
import { type Fn } from '../core/expr.ts';
import { asPair, guard, preview, type ArgSpec, type OpContext, type StageOperator } from './operator.ts';

export const INITIAL_STATE_OPTION: Record<string, { arg: ArgSpec; summary: string }> = {
  'initial-state': { arg: { kind: 'path', metavar: 'FILE' }, summary: 'start from the states of a file of [k, state] rows: CSV/TSV KEY,STATE lines (no header; a state that is JSON is read as JSON), JSON or NDJSON' },
};

/** The states the `initial-state` option names, if any; a key given twice is an error. */
export function initialStates(ctx: OpContext): KeyMap<unknown> {
  const states = new KeyMap<unknown>();
  const path = ctx.options['initial-state'] as string | undefined;
  for (const [k, state] of path === undefined ? [] : readTable(path, 'pairs')) {
    if (states.get(k) !== undefined) throw new IoError(`${path}: key ${preview(k)} has two initial states`);
    states.set(k, state);
  }
  return states;
}

export const updateState: StageOperator = {
  name: 'update-state',
  kind: 'stage',
  summary: "keep a state per key: E(values, state, k) is the new state (undefined deletes it); emits each [k, state] every batch",
  group: 'state',
  arg: { kind: 'expr', role: 'state', metavar: 'E' },
  options: INITIAL_STATE_OPTION,
  example: `--flat-map 'x.split(" ")' --map '[x, 1]' --update-state '(values, state) => values.reduce((a, b) => a + b, state ?? 0)'`,
  stage(ctx, next) {
    const update = guard(ctx.label, ctx.arg as Fn);
    let states = initialStates(ctx);
    let batch = new KeyMap<unknown[]>();
    const set = (k: unknown, state: unknown) => (state === undefined ? states.delete(k) : states.set(k, state));
    ctx.keep({
      snapshot: () => [...states.entries()],
      restore(saved) {
        states = KeyMap.from(saved as [unknown, unknown][]);
      },
    });
    return {
      begin(time) {
        batch = new KeyMap();
        next.begin(time);
      },
      push(rec) {
        const [k, v] = asPair(rec, ctx.label);
        const values = batch.get(k);
        if (values) values.push(v);
        else batch.set(k, [v]);
      },
      end(last) {
        // as in Spark, every key with a state is updated, with or without new values
        states.forEach((state, k) => {
          const values = batch.get(k);
          if (values) batch.delete(k);
          set(k, update(values ?? [], state, k));
        });
        batch.forEach((values, k) => set(k, update(values, undefined, k)));
        batch = new KeyMap();
        states.forEach((state, k) => next.push([k, state]));
        return next.end(last);
      },
    };
  },
};
