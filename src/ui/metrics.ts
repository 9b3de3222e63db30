// /metrics in Prometheus' text format, through prom-client: what the run has counted (records in
// and out, bad and late records, batches and their timings) and what waits now (queued text, paused
// sources, checkpoint age), plus a gauge family for each prometheus:NAME sink.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { UsageError } from '../core/errors.ts';
import type { OnError } from '../core/on-error.ts';
import { note } from '../core/report.ts';
import type { Row } from '../io/sinks/sink.ts';
import type { BatchStats } from '../runtime/engine.ts';

/** Keys a prometheus: sink exposes at most: each is a time series Prometheus keeps. */
export const KEY_CAP = 1000;

/** What the metrics read at scrape time from the running pipeline. */
export interface Live {
  backlog(): { queuedChars: number; pausedSources: number };
  /** When the last checkpoint was written (ms since the epoch); undefined without --checkpoint or before the first. */
  checkpointAt(): number | undefined;
  onError: OnError;
}

/** Bucket bounds in seconds from 1 ms to about 2 minutes, for batch timings. */
const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class Metrics {
  readonly registry = new Registry();
  private readonly recordsIn: Counter<'source'>;
  private readonly recordsOut: Counter<'sink'>;
  private readonly batches: Counter;
  private readonly processing: Histogram;
  private readonly delay: Histogram;
  private readonly lastBatch: Gauge;
  /** The sink label of each `from->sink:N` edge. */
  private readonly sinkLabels: Map<string, string>;

  /** `sinks`: each sink's URI, its label; `checkpoint`: the run has --checkpoint. */
  constructor(live: Live, sinks: string[], checkpoint: boolean) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.sinkLabels = new Map(sinks.map((out, i) => [`sink:${i}`, out]));
    this.recordsIn = new Counter({ name: 'sluice_records_in_total', help: 'Records read, by source', labelNames: ['source'], registers });
    this.recordsOut = new Counter({ name: 'sluice_records_out_total', help: 'Records that reached each sink', labelNames: ['sink'], registers });
    this.batches = new Counter({ name: 'sluice_batches_total', help: 'Batches completed', registers });
    this.processing = new Histogram({ name: 'sluice_batch_processing_seconds', help: 'Time to close a batch: aggregates, windows, sinks', buckets: SECONDS, registers });
    this.delay = new Histogram({ name: 'sluice_batch_scheduling_delay_seconds', help: 'How late a batch started closing after its time', buckets: SECONDS, registers });
    this.lastBatch = new Gauge({ name: 'sluice_last_batch_time_seconds', help: 'Time of the last completed batch (the end of its interval)', registers });
    // counted by --on-error itself: read when scraped
    const counted = (name: string, help: string, value: () => number) =>
      new Counter({ name, help, registers, collect(this: Counter) { this.reset(); this.inc(value()); } });
    counted('sluice_bad_records_total', 'Bad records skipped or dead-lettered (--on-error)', () => live.onError.skipped);
    counted('sluice_late_records_total', 'Records dropped behind the event-time watermark', () => live.onError.late);
    counted('sluice_dead_letters_total', 'Records written to the --on-error dlq: file', () => (live.onError.mode === 'dlq' ? live.onError.skipped + live.onError.late : 0));
    const gauge = (name: string, help: string, value: () => number | undefined) =>
      new Gauge({ name, help, registers, collect(this: Gauge) { const v = value(); if (v === undefined) this.reset(); else this.set(v); } });
    gauge('sluice_queued_bytes', 'Text read ahead for the next batch while one closes', () => live.backlog().queuedChars);
    gauge('sluice_paused_sources', 'Sources paused now (backpressure, --max-rate, a full queue)', () => live.backlog().pausedSources);
    if (checkpoint) {
      gauge('sluice_checkpoint_age_seconds', 'Seconds since the last checkpoint was written', () => {
        const at = live.checkpointAt();
        return at === undefined ? undefined : (Date.now() - at) / 1000;
      });
    }
  }

  batch(stats: BatchStats): void {
    this.batches.inc();
    for (const [source, n] of Object.entries(stats.sources)) this.recordsIn.inc({ source }, n);
    for (const [edge, n] of Object.entries(stats.edges ?? {})) {
      const sink = this.sinkLabels.get(edge.slice(edge.lastIndexOf('->') + 2));
      if (sink !== undefined) this.recordsOut.inc({ sink }, n);
    }
    this.processing.observe(stats.processingMs / 1000);
    this.delay.observe(stats.delayMs / 1000);
    this.lastBatch.set(stats.time / 1000);
  }

  /** The gauges of prometheus:NAME, set from each batch's pairs; throws UsageError when the name is taken. */
  gauges(name: string): (rows: Row[]) => void {
    let gauge: Gauge<'key'>;
    try {
      gauge = new Gauge({ name: `sluice_${name}`, help: `Each batch's pairs of the prometheus:${name} sink, by key`, labelNames: ['key'], registers: [this.registry] });
    } catch {
      throw new UsageError(`prometheus:${name}: the metric sluice_${name} is already there (another sink, or one of sluice's own): choose another name`);
    }
    const said = new Set<string>();
    const once = (what: string, message: string) => {
      if (!said.has(what)) note(message);
      said.add(what);
    };
    return (rows) => {
      gauge.reset(); // a key missing from this batch is gone, not stuck at its last value
      if (rows.length > KEY_CAP) once('cap', `prometheus:${name}: a batch of ${rows.length} keys; only the first ${KEY_CAP} are exposed (each key is a time series)`);
      for (const { key, value } of rows.slice(0, KEY_CAP)) {
        const n = Number(value);
        if (value === undefined || value.trim() === '' || !Number.isFinite(n)) {
          once('nan', `prometheus:${name}: a value that is not a number (key ${JSON.stringify(key)}) is left out: gauges take pairs [key, number]`);
        } else gauge.set({ key }, n);
      }
    };
  }
}
