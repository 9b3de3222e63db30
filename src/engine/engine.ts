// The batch loop: batch `t` collects what arrives in [t - interval, t); when the clock reaches t
// the batch closes, sinks flush, and batch t + interval opens. Batches run one at a time, in order.

import type { Graph } from './build.ts';
import { systemClock, type Clock } from './clock.ts';

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
}

export class Engine {
  private readonly graph: Graph;
  private readonly batchMs: number;
  private readonly clock: Clock;
  private readonly onBatch: ((stats: BatchStats) => void) | undefined;
  private inputDone = false;
  /** A batch is being closed: sources are paused and intakes hold what still arrives. */
  private closing = false;
  private stopping = false;
  private failure: { err: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(graph: Graph, options: EngineOptions) {
    this.graph = graph;
    this.batchMs = options.batchMs;
    this.clock = options.clock ?? systemClock;
    this.onBatch = options.onBatch;
    for (const { intake } of graph.inputs) intake.onFail = (err) => this.fail(err);
    graph.pressure.onChange = (held) => {
      if (this.closing) return; // the batch loop resumes the sources itself
      for (const { source } of graph.inputs) held ? source.pause() : source.resume();
    };
  }

  /** Run until every source has ended or stop() is called; rejects with the first failure. */
  async run(): Promise<void> {
    const { graph, batchMs, clock } = this;
    let time = Math.floor(clock.now() / batchMs) * batchMs + batchMs;
    graph.begin(time);
    Promise.all(graph.inputs.map(({ source, intake }) => source.run(intake))).then(
      () => {
        this.inputDone = true;
        this.wake?.();
      },
      (err) => this.fail(err),
    );
    try {
      for (;;) {
        await this.waitUntil(time);
        if (this.failure) throw this.failure.err;
        const last = this.inputDone || this.stopping;
        this.closing = true;
        for (const { source, intake } of graph.inputs) {
          intake.hold();
          source.pause();
        }
        const started = clock.now();
        const recordsIn = graph.inputs.reduce((n, { intake }) => n + intake.takeCount(), 0);
        await graph.end();
        this.onBatch?.({
          time,
          recordsIn,
          recordsOut: graph.takeRecordsOut(),
          processingMs: clock.now() - started,
          delayMs: Math.max(0, started - time),
        });
        if (last) break;
        time += batchMs;
        graph.begin(time);
        this.closing = false;
        for (const { source, intake } of graph.inputs) {
          intake.release();
          if (!graph.pressure.held) source.resume();
        }
      }
    } catch (err) {
      graph.abort();
      throw err;
    } finally {
      for (const { source } of graph.inputs) source.stop();
    }
    await graph.close();
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
