// The push protocol every stage of a pipeline speaks: a batch opens, its records flow one by one,
// the batch closes. Stateless stages pass records on as they arrive, so memory stays flat; stages
// that need the whole batch (aggregates, windows, sinks) act when it closes.

/** A record: any JavaScript value. A pair is a two-element array [key, value]. */
export type Rec = unknown;

export interface Downstream {
  /** Batch `time` (ms since the epoch, the end of its interval) opens. */
  begin(time: number): void;
  push(rec: Rec): void;
  /**
   * The open batch is complete; resolves once everything after this stage has handled it. `last`:
   * the input has ended with it, so what waits for later (a window's records) comes out now.
   */
  end(last?: boolean): void | Promise<void>;
}

/** Sends one stream to several consumers; each batch is complete once all of them are. */
export function tee(targets: Downstream[]): Downstream {
  if (targets.length === 1) return targets[0]!;
  return {
    begin(time) {
      for (const t of targets) t.begin(time);
    },
    push(rec) {
      for (const t of targets) t.push(rec);
    },
    end(last) {
      const pending = targets.map((t) => t.end(last)).filter((p) => p instanceof Promise);
      if (pending.length) return Promise.all(pending).then(() => undefined);
    },
  };
}

/**
 * Joins `inputs` upstreams into one: the batch opens with the first of them and ends with the last,
 * so a stream read from several streams or sources sees each batch once.
 */
export function fanIn(inputs: number, next: Downstream): Downstream {
  if (inputs === 1) return next;
  let begun = 0;
  let ended = 0;
  return {
    begin(time) {
      if (begun++ === 0) next.begin(time);
    },
    push: (rec) => next.push(rec),
    end(last) {
      if (++ended < inputs) return;
      begun = ended = 0;
      return next.end(last);
    },
  };
}

/**
 * A per-batch fold, kept separate from the stage that drives it so that windows can keep one
 * partial result per batch and merge them.
 */
export interface Aggregator<S> {
  empty(): S;
  add(state: S, rec: Rec): S;
  merge(a: S, b: S): S;
  /**
   * Undo an earlier merge(a, b): with it a window adds the batch that enters and subtracts the one
   * that leaves instead of merging every batch it spans again (Spark's inverse reduce).
   */
  subtract?(a: S, b: S): S;
  emit(state: S, out: (rec: Rec) => void): void;
  /** A JSON-serialisable copy of a state and back, for --checkpoint; the state as is when left out. */
  save?(state: S): unknown;
  load?(saved: unknown): S;
}

/** Runs an aggregator over each whole batch. */
export function aggregateStage<S>(agg: Aggregator<S>, next: Downstream): Downstream {
  let state = agg.empty();
  const out = (rec: Rec) => next.push(rec);
  return {
    begin(time) {
      state = agg.empty();
      next.begin(time);
    },
    push(rec) {
      state = agg.add(state, rec);
    },
    end(last) {
      agg.emit(state, out);
      state = agg.empty();
      return next.end(last);
    },
  };
}

/** A stage that changes records one at a time and keeps batch boundaries as they are. */
export function recordStage(next: Downstream, push: (rec: Rec) => void): Downstream {
  return { begin: (time) => next.begin(time), push, end: (last) => next.end(last) };
}

/**
 * A stage with two inputs (a join): it keeps both sides of a batch and combines them once both
 * have ended, so the result is one batch whatever order the two sides arrive in.
 */
export function pairStage(
  combine: (left: Rec[], right: Rec[], out: (rec: Rec) => void) => void,
  next: Downstream,
): { left: Downstream; right: Downstream } {
  let sides: [Rec[], Rec[]] = [[], []];
  // the batch opens with the first side and closes with the second, as for any two inputs
  const both = fanIn(2, {
    begin: (time) => next.begin(time),
    push: () => {},
    end(last) {
      const [left, right] = sides;
      sides = [[], []];
      combine(left, right, (rec) => next.push(rec));
      return next.end(last);
    },
  });
  const side = (i: 0 | 1): Downstream => ({
    begin: (time) => both.begin(time),
    push: (rec) => void sides[i].push(rec),
    end: (last) => both.end(last),
  });
  return { left: side(0), right: side(1) };
}
