// The batch loop: batch `t` collects what arrives in [t - interval, t); when the clock reaches t
// the batch closes, sinks flush, and batch t + interval opens. Batches run one at a time, in order.
// With a checkpoint store it resumes where the last run stopped, re-running an unfinished batch.

import type { Graph, GraphHooks } from './build.ts';
import { CheckpointError, type CheckpointStore, type Saved } from './checkpoint.ts';
import { messageOf } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { FlowControl } from './flow.ts';
import { note } from '../core/report.ts';

export interface BatchStats {
  time: number;
  recordsIn: number;
  recordsOut: number;
  /** Time spent closing the batch: aggregates, windows, sinks. */
  processingMs: number;
  /** How late the batch started closing after its time. */
  delayMs: number;
  /** Records in, by source name. */
  sources: Record<string, number>;
  /** Records along each edge of the graph (`from->to`), when the graph counts them (GraphHooks.countEdges). */
  edges?: Record<string, number>;
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

/**
 * Fault injection for the recovery tests: SLUICE_FAULT=crash-after-sinks:N kills the process the
 * moment the sinks of the Nth batch with records have succeeded, before its checkpoint is written:
 * the worst moment. Empty batches do not count, so a slow start does not move the crash.
 */
const CRASH_AFTER_SINKS = Number(/^crash-after-sinks:(\d+)$/.exec(process.env.SLUICE_FAULT ?? '')?.[1] ?? 0);

export class Engine {
  private readonly graph: Graph;
  private readonly batchMs: number;
  private readonly clock: Clock;
  private readonly onBatch: ((stats: BatchStats) => void) | undefined;
  private readonly checkpoint: EngineOptions['checkpoint'];
  private readonly once: boolean;
  private readonly flow: FlowControl;
  /** Batches with records run so far (for SLUICE_FAULT). */
  private batchesWithRecords = 0;
  private inputDone = false;
  private stopping = false;
  private failure: { err: unknown } | undefined;
  private wake: (() => void) | undefined;

  /** `build` makes the graph with the hooks through which its intakes and sinks steer the sources. */
  constructor(build: (hooks: GraphHooks) => Graph, options: EngineOptions) {
    this.batchMs = options.batchMs;
    this.clock = options.clock ?? systemClock;
    this.onBatch = options.onBatch;
    this.checkpoint = options.checkpoint;
    this.once = options.once ?? false;
    this.graph = build({
      afterText: (i) => this.flow.afterText(i),
      onFail: (err) => this.fail(err),
      onPressure: () => this.flow.update(),
    });
    this.flow = new FlowControl(this.graph, { batchMs: this.batchMs, adaptiveRate: options.adaptiveRate });
  }

  /** Run until every source has ended or stop() is called; rejects with the first failure. */
  async run(): Promise<void> {
    const { graph, batchMs } = this;
    let saved = this.restore();
    if (this.once) for (const { source } of graph.inputs) source.untilNow?.();
    // an unfinished batch is re-run first, with its own time, up to where it ended
    const replay = saved?.pending;
    let replayed = replay && this.limitSources(replay.until);
    if (replayed) this.flow.setReplaying(true);
    // never reuse the time of a saved batch: its output (a per-batch file) would be replaced
    let time = replay ? replay.time : Math.max(this.currentTime(), (saved?.time ?? 0) + batchMs);
    graph.begin(time);
    // at the end of the input a record still open (a CSV quote never closed) is refused; with a
    // checkpoint it waits there for the rest, as windows do
    Promise.all(graph.inputs.map(({ source, intake }) => source.run(intake).then(() => this.checkpoint || intake.finish()))).then(
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
        if (replayed) this.flow.setReplaying(false); // the batches after get their budgets again
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
        this.flow.setClosing(false);
        for (const { intake } of graph.inputs) intake.release();
        this.flow.update();
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
    this.flow.setClosing(true);
    for (const { intake } of graph.inputs) intake.hold();
    this.flow.update();
    // what each source has delivered into this batch, read while the intakes hold what comes next
    const positions = graph.inputs.map(({ source }) => source.position?.());
    const byName = Object.fromEntries(graph.inputs.map(({ name }, i) => [name, positions[i]]));
    const intakes = Object.fromEntries(graph.inputs.map(({ name, intake }) => [name, intake.saved()]));
    const store = this.checkpoint?.store;
    if (saved) store?.save({ ...saved, pending: { time, until: byName } });
    const started = clock.now();
    const sources = Object.fromEntries(graph.inputs.map(({ name, intake }) => [name, intake.takeCount()]));
    const recordsIn = Object.values(sources).reduce((a, b) => a + b, 0);
    const busyMs = graph.inputs.reduce((ms, { intake }) => ms + intake.takeBusyMs(), 0);
    // the input has ended, so what waits for later (windows) comes out now; with a checkpoint
    // the stream goes on in the next run, and it waits there instead
    await graph.end(this.inputDone && !store);
    await Promise.all(graph.inputs.map(({ source }, i) => source.committed?.(positions[i])));
    if (recordsIn && ++this.batchesWithRecords === CRASH_AFTER_SINKS) process.kill(process.pid, 'SIGKILL');
    if (this.checkpoint) {
      const state = Object.fromEntries([...graph.stateful].map(([id, s]) => [id, s.snapshot()]));
      saved = { pipeline: this.checkpoint.pipeline, time, positions: byName, intakes, state };
      this.checkpoint.store.save(saved);
    }
    const stats: BatchStats = {
      time,
      recordsIn,
      recordsOut: graph.takeRecordsOut(),
      processingMs: clock.now() - started,
      delayMs: Math.max(0, started - time),
      sources,
      edges: graph.takeEdgeCounts?.(),
    };
    this.flow.adapt(stats.time, stats.recordsIn, busyMs + stats.processingMs, stats.delayMs);
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
    // a checkpoint intact but not of this pipeline's parts (edited): said plainly, never a stack
    const restoring = (what: string, restore: () => void) => {
      try {
        restore();
      } catch (err) {
        throw new CheckpointError(`checkpoint ${store.dir}: ${what}${messageOf(err)}`, { cause: err });
      }
    };
    for (const [id, state] of this.graph.stateful) if (id in saved.state) restoring(`the state of ${id}: `, () => state.restore(saved.state[id]));
    for (const { name, source, intake } of this.graph.inputs) {
      intake.restore(saved.intakes?.[name]);
      if (!source.position) note(`${source.label}: a stream, with no position for --checkpoint to keep: a restart reads on from what comes then`);
      if (saved.positions[name] !== undefined) restoring('', () => source.seek?.(saved.positions[name]));
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

  /** Per source, the bytes of its input that were not UTF-8 and were replaced by U+FFFD. */
  replaced(): { label: string; bytes: number }[] {
    return this.graph.inputs.map(({ source, intake }) => ({ label: source.label, bytes: intake.replaced }));
  }

  /** What waits now: text read ahead for the next batch, and sources paused (for /metrics). */
  backlog(): { queuedChars: number; pausedSources: number } {
    return this.flow.backlog();
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
    if (this.inputDone || this.stopping || this.failure) return Promise.resolve();
    // a batch due already (batches fell behind) still waits for a turn of the event loop: without
    // one, reads under way never complete, and a backlog of empty batches never ends
    if (this.clock.now() >= time) return new Promise((resolve) => setImmediate(resolve));
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
