// The batch loop: batch `t` collects what arrives in [t - interval, t); when the clock reaches t
// the batch closes, sinks flush, and batch t + interval opens. Batches run one at a time, in order.
// With a checkpoint store it resumes where the last run stopped, re-running an unfinished batch.

import type { Graph } from './build.ts';
import type { CheckpointStore, Saved } from './checkpoint.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { RateEstimator } from './rate-estimator.ts';

export interface BatchStats {
  time: number;
  recordsIn: number;
  recordsOut: number;
  /** Time spent closing the batch: aggregates, windows, sinks. */
  processingMs: number;
  /** How late the batch started closing after its time. */
  delayMs: number;
}

export interface EngineOptions {
  batchMs: number;
  clock?: Clock;
  onBatch?: (stats: BatchStats) => void;
  /** Save positions and state after every batch, and resume from them. */
  checkpoint?: { store: CheckpointStore; pipeline: string[] };
  /** --once: after resuming, sources read only what is there now, then end. */
  once?: boolean;
  /** --adaptive-rate: steer source rates so that a batch takes about one interval to process. */
  adaptiveRate?: boolean;
}

/** A source as the engine steers it: paused or not, and its rate budget (records a second). */
type Flow = Graph['inputs'][number] & {
  paused: boolean;
  throttled: boolean;
  rate: number | undefined;
  /** Records the source may still deliver now; negative when it ran ahead. */
  tokens: number;
  /** intake.total and the clock when the budget was last brought up to date. */
  counted: number;
  at: number;
};

/** Read size for a rate-limited source: a few dozen lines a read, so the limit holds closely. */
const RATE_READ_BYTES = 4096;

/** Where --adaptive-rate starts a source with no --max-rate, records a second. */
const ADAPTIVE_START = 10_000;

/**
 * The bound on text read ahead for the next batch while one closes (a slow sink, a big window):
 * sources keep reading, so queued batches are full ones, until this much waits; then they pause.
 */
const HOLD_LIMIT = 4 * 1024 * 1024;

/**
 * Fault injection for the recovery tests: SLUICE_FAULT=crash-after-sinks:N kills the process the
 * moment batch N's sinks have succeeded, before its checkpoint is written: the worst moment.
 */
const CRASH_AFTER_SINKS = Number(/^crash-after-sinks:(\d+)$/.exec(process.env.SLUICE_FAULT ?? '')?.[1] ?? 0);

export class Engine {
  private readonly graph: Graph;
  private readonly batchMs: number;
  private readonly clock: Clock;
  private readonly onBatch: ((stats: BatchStats) => void) | undefined;
  private readonly checkpoint: EngineOptions['checkpoint'];
  private readonly once: boolean;
  private readonly flows: Flow[];
  private readonly estimator: RateEstimator | undefined;
  /** Batches run so far. */
  private batches = 0;
  private inputDone = false;
  /** A batch is being closed: intakes hold what still arrives, for the next batch. */
  private closing = false;
  /** ...and they hold so much that the sources are paused. */
  private queueFull = false;
  private stopping = false;
  private failure: { err: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(graph: Graph, options: EngineOptions) {
    this.graph = graph;
    this.batchMs = options.batchMs;
    this.clock = options.clock ?? systemClock;
    this.onBatch = options.onBatch;
    this.checkpoint = options.checkpoint;
    this.once = options.once ?? false;
    this.estimator = options.adaptiveRate ? new RateEstimator(this.batchMs) : undefined;
    this.flows = graph.inputs.map((input) => ({
      ...input,
      paused: false,
      throttled: false,
      rate: input.maxRate ?? (this.estimator ? ADAPTIVE_START : undefined),
      tokens: 0,
      counted: 0,
      at: this.clock.now(),
    }));
    for (const flow of this.flows) if (flow.rate) flow.source.readSize?.(RATE_READ_BYTES);
    for (const flow of this.flows) {
      flow.intake.onFail = (err) => this.fail(err);
      flow.intake.afterText = () => {
        if (flow.rate) this.throttle(flow, flow.rate);
        if (this.closing && !this.queueFull && this.held() > HOLD_LIMIT) this.updateFlow();
      };
    }
    graph.pressure.onChange = () => this.updateFlow();
  }

  /**
   * Pause or resume each source for whichever reason holds now: the queue for the next batch full
   * while one closes, a sink behind (backpressure), or the source ahead of its --max-rate.
   */
  private updateFlow(): void {
    this.queueFull = this.closing && this.held() > HOLD_LIMIT;
    for (const flow of this.flows) {
      const paused = this.queueFull || this.graph.pressure.held || flow.throttled;
      if (paused === flow.paused) continue;
      flow.paused = paused;
      if (paused) flow.source.pause();
      else flow.source.resume();
    }
  }

  /** Text waiting for the next batch while one closes. */
  private held(): number {
    return this.flows.reduce((n, flow) => n + flow.intake.heldChars, 0);
  }

  /**
   * --max-rate, --adaptive-rate: a token bucket per source, filled at its rate (times its parts: a
   * Kafka source's partitions) up to one batch's worth; a source that ran ahead is held until its
   * budget is back to zero.
   */
  private throttle(flow: Flow, perPart: number): void {
    const rate = perPart * Math.max(1, flow.source.rateParts?.() ?? 1);
    const now = this.clock.now();
    const burst = Math.max(1, (rate * this.batchMs) / 1000);
    flow.tokens = Math.min(burst, flow.tokens + (rate * (now - flow.at)) / 1000) - (flow.intake.total - flow.counted);
    flow.counted = flow.intake.total;
    flow.at = now;
    if (flow.throttled || flow.tokens >= 0) return;
    flow.throttled = true;
    this.updateFlow();
    this.clock.at(now + (-flow.tokens / rate) * 1000, () => {
      flow.throttled = false;
      this.throttle(flow, flow.rate ?? perPart);
      this.updateFlow();
    });
  }

  /** --adaptive-rate: steer every source's rate after each batch, never above its --max-rate. */
  private adapt(stats: BatchStats, busyMs: number): void {
    const rate = this.estimator?.next(stats.time, stats.recordsIn, busyMs + stats.processingMs, stats.delayMs);
    if (rate === undefined) return;
    for (const flow of this.flows) flow.rate = Math.min(rate, flow.maxRate ?? Infinity);
  }

  /** Run until every source has ended or stop() is called; rejects with the first failure. */
  async run(): Promise<void> {
    const { graph, batchMs } = this;
    let saved = this.restore();
    if (this.once) for (const { source } of graph.inputs) source.untilNow?.();
    // an unfinished batch is re-run first, with its own time, up to where it ended
    const replay = saved?.pending;
    let replayed = replay && this.limitSources(replay.until);
    // never reuse the time of a saved batch: its output (a per-batch file) would be replaced
    let time = replay ? replay.time : Math.max(this.currentTime(), (saved?.time ?? 0) + batchMs);
    graph.begin(time);
    Promise.all(graph.inputs.map(({ source, intake }) => source.run(intake))).then(
      () => {
        this.inputDone = true;
        this.wake?.();
      },
      (err) => this.fail(err),
    );
    // a first run notes where its sources began (tail: and dir: skip what is there then), so that
    // a crash in its first batch re-runs that batch from there
    if (saved && !Object.keys(saved.positions).length) {
      saved.positions = Object.fromEntries(graph.inputs.map(({ name, source }) => [name, source.position?.()]));
    }
    try {
      for (;;) {
        await (replayed ? this.waitFor(replayed) : this.waitUntil(time));
        replayed = undefined;
        if (this.failure) throw this.failure.err;
        const last = this.inputDone || this.stopping;
        saved = await this.closeBatch(time, saved);
        if (last) break;
        if (replay && time === replay.time) {
          // the replayed batch is done: lift the limits and pick up the present
          this.limitSources(undefined);
          time = Math.max(time + batchMs, this.currentTime());
        } else {
          time += batchMs; // batches that fell behind queue up, one per interval
        }
        graph.begin(time);
        this.closing = false;
        for (const { intake } of graph.inputs) intake.release();
        this.updateFlow();
      }
    } catch (err) {
      graph.abort();
      throw err;
    } finally {
      for (const { source } of graph.inputs) source.stop();
    }
    await graph.close();
  }

  /**
   * Close batch `time`: record it as pending in the checkpoint, run it through to the sinks, let
   * the sources acknowledge it, and checkpoint it as done. Returns the new checkpoint.
   */
  private async closeBatch(time: number, saved: Saved | undefined): Promise<Saved | undefined> {
    const { graph, clock } = this;
    this.closing = true;
    for (const { intake } of graph.inputs) intake.hold();
    this.updateFlow();
    // what each source has delivered into this batch, read while the intakes hold what comes next
    const positions = graph.inputs.map(({ source }) => source.position?.());
    const byName = Object.fromEntries(graph.inputs.map(({ name }, i) => [name, positions[i]]));
    const store = this.checkpoint?.store;
    if (saved) store?.save({ ...saved, pending: { time, until: byName } });
    const started = clock.now();
    const recordsIn = graph.inputs.reduce((n, { intake }) => n + intake.takeCount(), 0);
    const busyMs = graph.inputs.reduce((ms, { intake }) => ms + intake.takeBusyMs(), 0);
    // the input has ended, so what waits for later (windows) comes out now; with a checkpoint
    // the stream goes on in the next run, and it waits there instead
    await graph.end(this.inputDone && !store);
    await Promise.all(graph.inputs.map(({ source }, i) => source.committed?.(positions[i])));
    if (++this.batches === CRASH_AFTER_SINKS) process.kill(process.pid, 'SIGKILL');
    if (this.checkpoint) {
      const state = Object.fromEntries([...graph.stateful].map(([id, s]) => [id, s.snapshot()]));
      saved = { pipeline: this.checkpoint.pipeline, time, positions: byName, state };
      this.checkpoint.store.save(saved);
    }
    const stats: BatchStats = {
      time,
      recordsIn,
      recordsOut: graph.takeRecordsOut(),
      processingMs: clock.now() - started,
      delayMs: Math.max(0, started - time),
    };
    this.adapt(stats, busyMs);
    this.onBatch?.(stats);
    return saved;
  }

  /** The batch open now: the end of the current interval. */
  private currentTime(): number {
    return Math.floor(this.clock.now() / this.batchMs) * this.batchMs + this.batchMs;
  }

  /** Load the checkpoint, restore operator state and seek sources to their saved positions. */
  private restore(): Saved | undefined {
    if (!this.checkpoint) return undefined;
    const { store, pipeline } = this.checkpoint;
    // a first run starts from nothing: its first batch is recorded as pending like any other
    const saved = store.load(pipeline) ?? { pipeline, time: 0, positions: {}, state: {} };
    for (const [id, state] of this.graph.stateful) if (id in saved.state) state.restore(saved.state[id]);
    for (const { name, source } of this.graph.inputs) {
      if (saved.positions[name] !== undefined) source.seek?.(saved.positions[name]);
    }
    return saved;
  }

  /**
   * Make sources deliver only up to `until` (undefined: lift the limits); a promise for all of them
   * reaching it, or undefined if one cannot be limited.
   */
  private limitSources(until: Record<string, unknown> | undefined): Promise<unknown> | undefined {
    const inputs = this.graph.inputs.filter(({ name }) => !until || until[name] !== undefined);
    if (!inputs.every(({ source }) => source.limit)) return undefined;
    return Promise.all(inputs.map(({ name, source }) => source.limit!(until?.[name])));
  }

  /** Graceful stop: no more input; the open batch is closed and flushed, then run() returns. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const { source } of this.graph.inputs) source.stop();
    this.wake?.();
  }

  private fail(err: unknown): void {
    this.failure ??= { err };
    this.wake?.();
  }

  /** Resolves when `done` settles, the input ends, a stop is asked for, or something fails. */
  private waitFor(done: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
      done.then(() => this.wake?.(), (err) => this.fail(err));
      if (this.inputDone || this.stopping || this.failure) this.wake();
    });
  }

  /** Resolves when the clock reaches `time`, the input ends, a stop is asked for, or something fails. */
  private waitUntil(time: number): Promise<void> {
    if (this.inputDone || this.stopping || this.failure || this.clock.now() >= time) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.clock.at(time, () => this.wake?.());
      this.wake = () => {
        this.wake = undefined;
        cancel();
        resolve();
      };
    });
  }
}
