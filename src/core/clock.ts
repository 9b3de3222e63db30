// The engine's only view of time: injectable so that tests run batches on a manual clock.

export interface Clock {
  now(): number;
  /** Call `fn` once the clock reaches `at` (ms since the epoch); returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** The longest delay setTimeout takes (about 24.8 days); a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const wait = at - Date.now();
      timer = wait > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(fn, Math.max(0, wait));
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/** A clock that only moves when told to; due timers fire in time order as it advances. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  private time: number;
  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  at(at: number, fn: () => void): () => void {
    const timer = { at, fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Move to `to`, firing every timer due on the way; a timer may schedule more. */
  advanceTo(to: number): void {
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= to)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = Math.max(this.time, to);
  }

  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }
}

/**
 * Milliseconds on a monotonic clock, for how long work takes: from process.hrtime, which is there
 * from the start (the `performance` global loads node:perf_hooks at first use: 1.5 ms of a short run).
 */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
