// map-with-state: Spark's mapWithState. E(k, v, state) runs for each pair of the batch with its
// key's state (state.get/update/remove/exists) and what it returns is emitted; only keys with data
// cost anything. With --state-timeout a key idle that long runs once more, timing out, and is dropped.

import { KeyMap } from './keymap.ts';
import { type Fn } from '../core/expr.ts';
import { asPair, guard, type StageOperator } from './operator.ts';
import { INITIAL_STATE_OPTION, initialStates } from './update-state.ts';

interface Entry {
  value: unknown;
  /** The batch in which the key last had data (or got its initial state). */
  seen: number;
}

/** The `state` argument of E: one key's state during one call (Spark's State). */
class KeyState {
  private value: unknown;
  private present = false;
  private timingOut = false;

  open(entry: Entry | undefined, timingOut: boolean): this {
    this.value = entry?.value;
    this.present = entry !== undefined;
    this.timingOut = timingOut;
    return this;
  }

  /** The state after the call: undefined when there is none. */
  get result(): { value: unknown } | undefined {
    return this.present ? { value: this.value } : undefined;
  }

  exists(): boolean {
    return this.present;
  }

  get(): unknown {
    return this.value;
  }

  update(value: unknown): unknown {
    this.changing('update');
    this.value = value;
    this.present = true;
    return value;
  }

  remove(): void {
    this.changing('remove');
    this.value = undefined;
    this.present = false;
  }

  isTimingOut(): boolean {
    return this.timingOut;
  }

  private changing(what: string): void {
    // thrown inside E, so the guard around E names the operator
    if (this.timingOut) throw new Error(`state.${what}() on a key that is timing out: it is dropped after this call`);
  }
}

export const mapWithState: StageOperator = {
  name: 'map-with-state',
  kind: 'stage',
  summary: 'E(k, v, state) for each pair, with its key\'s state (state.get(), update(s), remove(), isTimingOut()); emits what E returns',
  group: 'state',
  arg: { kind: 'expr', role: 'keyedState', metavar: 'E' },
  options: {
    'state-timeout': {
      arg: { kind: 'duration', metavar: 'DUR' },
      summary: 'a key without data for DUR times out: E runs once more with v undefined and state.isTimingOut() true, then the key is dropped',
    },
    'state-snapshots': { arg: { kind: 'none' }, summary: "emit every [k, state] after each batch instead of what E returns (Spark's stateSnapshots)" },
    ...INITIAL_STATE_OPTION,
  },
  example: `--map '[x, 1]' --map-with-state '[k, state.update((state.get() ?? 0) + v)]' --state-timeout 1h`,
  stage(ctx, next) {
    const fn = guard(ctx.label, ctx.arg as Fn);
    const timeoutMs = ctx.options['state-timeout'] as number | undefined;
    const snapshots = ctx.options['state-snapshots'] === true;
    const state = new KeyState();
    let states = new KeyMap<Entry>();
    /** Keys by the batch in which they last had data, oldest first: where timeouts are found. */
    let touched = new Map<number, unknown[]>();
    let time = 0;
    let initial: KeyMap<unknown> | undefined = initialStates(ctx);

    const touch = (k: unknown, entry: Entry) => {
      if (timeoutMs === undefined) return;
      const keys = touched.get(entry.seen);
      if (keys) keys.push(k);
      else touched.set(entry.seen, [k]);
    };
    const call = (k: unknown, v: unknown, entry: Entry | undefined, timingOut: boolean) => {
      const out = fn(k, v, state.open(entry, timingOut));
      if (out !== undefined && !snapshots) next.push(out);
      return state.result;
    };
    ctx.keep({
      snapshot: () => [...states.entries()].map(([k, e]) => [k, e.value, e.seen]),
      restore(saved) {
        initial = undefined;
        states = new KeyMap();
        touched = new Map();
        const entries = (saved as [unknown, unknown, number][]).toSorted((a, b) => a[2] - b[2]);
        for (const [k, value, seen] of entries) {
          const entry = { value, seen };
          states.set(k, entry);
          touch(k, entry);
        }
      },
    });

    return {
      begin(t) {
        time = t;
        // initial states count as seen in the first batch, so they time out like any other
        initial?.forEach((value, k) => {
          const entry = { value, seen: t };
          states.set(k, entry);
          touch(k, entry);
        });
        initial = undefined;
        next.begin(t);
      },
      push(rec) {
        const [k, v] = asPair(rec, ctx.label);
        const entry = states.get(k);
        const after = call(k, v, entry, false);
        if (!after) {
          if (entry) states.delete(k);
        } else if (!entry) {
          const added = { value: after.value, seen: time };
          states.set(k, added);
          touch(k, added);
        } else {
          entry.value = after.value;
          if (entry.seen !== time) {
            entry.seen = time;
            touch(k, entry);
          }
        }
      },
      end(last) {
        // as in Spark, a key times out in the first batch more than the timeout after its last data
        for (const [seen, keys] of touched) {
          if (seen + timeoutMs! >= time) break;
          touched.delete(seen);
          for (const k of keys) {
            const entry = states.get(k);
            if (entry?.seen !== seen) continue; // it had data since
            states.delete(k);
            call(k, undefined, entry, true);
          }
        }
        if (snapshots) states.forEach((entry, k) => next.push([k, entry.value]));
        return next.end(last);
      },
    };
  },
};
