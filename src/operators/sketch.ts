// What the sketch aggregates (approx-distinct, quantiles, top-k) share: one sketch per batch, or
// per key of --by E, merged pane by pane over a window and saved in a checkpoint as JSON.

import type { Fn } from '../core/expr.ts';
import type { Aggregator, Rec } from '../core/stream.ts';
import { KeyMap } from './keymap.ts';
import { guard, type ArgSpec, type OpContext } from './operator.ts';

export const BY_OPTION: Record<string, { arg: ArgSpec; summary: string }> = {
  by: { arg: { kind: 'expr', role: 'record', metavar: 'E' }, summary: 'a sketch aggregate per key E: emits [key, result] for each key' },
};

/** A kind of sketch: how one is made, fed, merged, read and saved. */
export interface SketchKind<S> {
  create(): S;
  add(sketch: S, value: unknown): void;
  /** Fold `other` into `into`, leaving `other` as it is. */
  merge(into: S, other: S): void;
  /** The result of a sketch; an empty one (no values) has one too. */
  result(sketch: S): unknown;
  /** Without --by, the result is an array whose elements are records of their own (top-k's [value, count]). */
  spread?: true;
  save(sketch: S): unknown;
  load(saved: unknown): S;
}

/** The aggregator of a sketch: of E over the whole batch, or with `by` per key. */
export function sketchAggregator<S>(ctx: Pick<OpContext, 'label' | 'options'>, of: Fn, kind: SketchKind<S>): Aggregator<unknown> {
  const valueOf = guard(ctx.label, of);
  if (ctx.options.by === undefined) {
    return {
      empty: () => kind.create(),
      add(sketch, rec) {
        kind.add(sketch as S, valueOf(rec));
        return sketch;
      },
      merge(into, other) {
        kind.merge(into as S, other as S);
        return into;
      },
      emit(sketch, out) {
        const result = kind.result(sketch as S);
        if (kind.spread) for (const rec of result as unknown[]) out(rec);
        else out(result);
      },
      save: (sketch) => kind.save(sketch as S),
      load: (saved) => kind.load(saved),
    } satisfies Aggregator<unknown>;
  }
  const keyOf = guard(ctx.label, ctx.options.by as Fn);
  return {
    empty: () => new KeyMap<S>(),
    add(state, rec: Rec) {
      const sketches = state as KeyMap<S>;
      const k = keyOf(rec);
      let sketch = sketches.get(k);
      if (sketch === undefined) sketches.set(k, (sketch = kind.create()));
      kind.add(sketch, valueOf(rec));
      return sketches;
    },
    merge(into, other) {
      const sketches = into as KeyMap<S>;
      (other as KeyMap<S>).forEach((sketch, k) => {
        let mine = sketches.get(k);
        // a copy: a pane's own sketch must stay as it is for the windows after
        if (mine === undefined) sketches.set(k, (mine = kind.create()));
        kind.merge(mine, sketch);
      });
      return sketches;
    },
    emit: (state, out) => (state as KeyMap<S>).forEach((sketch, k) => out([k, kind.result(sketch)])),
    save: (state) => [...(state as KeyMap<S>).entries()].map(([k, sketch]) => [k, kind.save(sketch)]),
    load: (saved) => KeyMap.from((saved as [unknown, unknown][]).map(([k, s]) => [k, kind.load(s)])),
  };
}

/** The text a value is hashed or counted by: a string as is, anything else as its JSON (as keys are compared). */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
