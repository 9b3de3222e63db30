// Flow control: when each source reads. A source is paused while the text queued for the next batch
// is over its bound as a batch closes, while a sink holds the sources back (backpressure), or while
// the batch it fills has taken its --max-rate budget; --adaptive-rate steers those rates after every batch.

import type { Pressure } from '../core/pressure.ts';
import type { Graph } from './build.ts';
import { RateEstimator } from './rate-estimator.ts';

/** Read size for a rate-limited source: what waits over its budget in the intake stays small. */
const RATE_READ_BYTES = 4096;

/** Where --adaptive-rate starts a source with no --max-rate, records a second. */
const ADAPTIVE_START = 10_000;

/**
 * The bound on text read ahead for the next batch while one closes (a slow sink, a big window):
 * sources keep reading, so queued batches are full ones, until this much waits; then they pause.
 */
const HOLD_LIMIT = 4 * 1024 * 1024;

/** A source as flow control steers it: paused or not, and its rate (records a second). */
type Flow = Graph['inputs'][number] & {
  paused: boolean;
  rate: number | undefined;
};

export interface FlowOptions {
  batchMs: number;
  /** --adaptive-rate: steer source rates so that a batch takes about one interval to process. */
  adaptiveRate?: boolean;
}

export class FlowControl {
  private readonly flows: Flow[];
  private readonly pressure: Pressure;
  private readonly batchMs: number;
  private readonly estimator: RateEstimator | undefined;
  /** A batch is being closed: intakes hold what still arrives, for the next batch. */
  private closing = false;
  /** ...and they hold so much that the sources are paused. */
  private queueFull = false;
  /** A crashed batch is being re-run: it takes what it took the first time, whatever the budget. */
  private replaying = false;

  constructor(graph: Pick<Graph, 'inputs' | 'pressure'>, options: FlowOptions) {
    this.pressure = graph.pressure;
    this.batchMs = options.batchMs;
    this.estimator = options.adaptiveRate ? new RateEstimator(this.batchMs) : undefined;
    this.flows = graph.inputs.map((input) => ({ ...input, paused: false, rate: input.maxRate ?? (this.estimator ? ADAPTIVE_START : undefined) }));
    for (const flow of this.flows) {
      if (!flow.rate) continue;
      flow.source.readSize?.(RATE_READ_BYTES);
      this.budget(flow);
    }
  }

  /** Input `i` took in or held a piece of text. */
  afterText(i: number): void {
    const flow = this.flows[i]!;
    // a Kafka source may have been given more partitions since the budget was set
    if (flow.rate && flow.intake.full && !flow.paused) this.budget(flow);
    if ((flow.rate && flow.intake.full !== flow.paused) || (this.closing && !this.queueFull && this.held() > HOLD_LIMIT)) this.update();
  }

  /**
   * A batch starts closing (true: what arrives from now on is the next batch's, with a budget of
   * its own) or the next one has opened (false); update() then acts on it.
   */
  setClosing(closing: boolean): void {
    this.closing = closing;
    if (closing) for (const flow of this.flows) if (flow.rate) this.budget(flow);
  }

  /** A crashed batch is re-run up to where it ended (true), or that is done (false). */
  setReplaying(replaying: boolean): void {
    this.replaying = replaying;
    for (const flow of this.flows) if (flow.rate) this.budget(flow);
    this.update();
  }

  /**
   * Pause or resume each source for whichever reason holds now: the queue for the next batch full
   * while one closes, a sink behind (backpressure), or the batch it fills at its --max-rate budget.
   */
  update(): void {
    this.queueFull = this.closing && this.held() > HOLD_LIMIT;
    for (const flow of this.flows) {
      const paused = this.queueFull || this.pressure.held || flow.intake.full;
      if (paused === flow.paused) continue;
      flow.paused = paused;
      if (paused) flow.source.pause();
      else flow.source.resume();
    }
  }

  /** Text queued for the next batch, and how many sources are paused now. */
  backlog(): { queuedChars: number; pausedSources: number } {
    return { queuedChars: this.held(), pausedSources: this.flows.filter((f) => f.paused).length };
  }

  /** Text waiting for the next batch while one closes. */
  private held(): number {
    return this.flows.reduce((n, flow) => n + flow.intake.heldChars, 0);
  }

  /**
   * --max-rate, --adaptive-rate: a batch takes at most rate × interval records of a source (times
   * its parts: a Kafka source's partitions, as Spark's maxRatePerPartition), at least one.
   */
  private budget(flow: Flow): void {
    const rate = flow.rate! * Math.max(1, flow.source.rateParts?.() ?? 1);
    flow.intake.setBudget(this.replaying ? Infinity : Math.max(1, Math.round((rate * this.batchMs) / 1000)));
  }

  /** --adaptive-rate: after batch `time`, steer every source's rate, never above its --max-rate. */
  adapt(time: number, recordsIn: number, processingMs: number, delayMs: number): void {
    const rate = this.estimator?.next(time, recordsIn, processingMs, delayMs);
    if (rate === undefined) return;
    for (const flow of this.flows) {
      flow.rate = Math.min(rate, flow.maxRate ?? Infinity);
      this.budget(flow);
    }
  }
}
