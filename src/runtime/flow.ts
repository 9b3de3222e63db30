// Flow control: when each source reads. A source is paused while the text queued for the next batch
// is over its bound as a batch closes, while a sink holds the sources back (backpressure), or while
// it is ahead of its --max-rate; --adaptive-rate steers those rates after every batch.

import type { Clock } from '../core/clock.ts';
import type { Pressure } from '../core/pressure.ts';
import type { Graph } from './build.ts';
import { RateEstimator } from './rate-estimator.ts';

/** Read size for a rate-limited source: a few dozen lines a read, so the limit holds closely. */
const RATE_READ_BYTES = 4096;

/** Where --adaptive-rate starts a source with no --max-rate, records a second. */
const ADAPTIVE_START = 10_000;

/**
 * The bound on text read ahead for the next batch while one closes (a slow sink, a big window):
 * sources keep reading, so queued batches are full ones, until this much waits; then they pause.
 */
const HOLD_LIMIT = 4 * 1024 * 1024;

/** A source as flow control steers it: paused or not, and its rate budget (records a second). */
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

export interface FlowOptions {
  batchMs: number;
  clock: Clock;
  /** --adaptive-rate: steer source rates so that a batch takes about one interval to process. */
  adaptiveRate?: boolean;
}

export class FlowControl {
  private readonly flows: Flow[];
  private readonly pressure: Pressure;
  private readonly batchMs: number;
  private readonly clock: Clock;
  private readonly estimator: RateEstimator | undefined;
  /** A batch is being closed: intakes hold what still arrives, for the next batch. */
  private closing = false;
  /** ...and they hold so much that the sources are paused. */
  private queueFull = false;

  constructor(graph: Pick<Graph, 'inputs' | 'pressure'>, options: FlowOptions) {
    this.pressure = graph.pressure;
    this.batchMs = options.batchMs;
    this.clock = options.clock;
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
  }

  /** Input `i` took in or held a piece of text. */
  afterText(i: number): void {
    const flow = this.flows[i]!;
    if (flow.rate) this.throttle(flow, flow.rate);
    if (this.closing && !this.queueFull && this.held() > HOLD_LIMIT) this.update();
  }

  /** A batch starts closing (true) or the next one has opened (false); update() then acts on it. */
  setClosing(closing: boolean): void {
    this.closing = closing;
  }

  /**
   * Pause or resume each source for whichever reason holds now: the queue for the next batch full
   * while one closes, a sink behind (backpressure), or the source ahead of its --max-rate.
   */
  update(): void {
    this.queueFull = this.closing && this.held() > HOLD_LIMIT;
    for (const flow of this.flows) {
      const paused = this.queueFull || this.pressure.held || flow.throttled;
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
    this.update();
    this.clock.at(now + (-flow.tokens / rate) * 1000, () => {
      flow.throttled = false;
      this.throttle(flow, flow.rate ?? perPart);
      this.update();
    });
  }

  /** --adaptive-rate: after batch `time`, steer every source's rate, never above its --max-rate. */
  adapt(time: number, recordsIn: number, processingMs: number, delayMs: number): void {
    const rate = this.estimator?.next(time, recordsIn, processingMs, delayMs);
    if (rate === undefined) return;
    for (const flow of this.flows) flow.rate = Math.min(rate, flow.maxRate ?? Infinity);
  }
}
