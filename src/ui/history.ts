// What the web page shows, kept bounded: the last batches (a 100 ms interval for an hour keeps
// memory flat), totals per source and sink, and the last batches of each dashboard: panel.

import type { Row } from '../io/sinks/sink.ts';
import type { BatchStats } from '../runtime/engine.ts';

/** Batches kept for the page's charts and table. */
export const BATCHES_KEPT = 1000;
/** Batches of a dashboard panel kept, for its time series and top keys. */
export const PANEL_BATCHES_KEPT = 60;
/** Rows of a dashboard panel's batch kept and sent: the page shows a note when a batch had more. */
export const PANEL_ROWS_KEPT = 1000;

export interface Batch extends BatchStats {
  /** When it completed (ms since the epoch). */
  doneAt: number;
}

export interface PanelBatch {
  time: number;
  /** Rows in the batch, of which the first PANEL_ROWS_KEPT are in `rows`. */
  count: number;
  rows: Row[];
}

/** A fixed-size queue: the newest `limit` items. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  size = 0;

  constructor(limit: number) {
    this.items = new Array<T | undefined>(limit);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    this.size = Math.min(this.size + 1, this.items.length);
  }

  /** Oldest first. */
  toArray(): T[] {
    const n = this.items.length;
    return Array.from({ length: this.size }, (_, i) => this.items[(this.next - this.size + i + n) % n]!);
  }
}

export class History {
  readonly batches = new Ring<Batch>(BATCHES_KEPT);
  readonly recordsIn: Record<string, number> = {};
  /** Records along each edge of the graph in all (a sink's edge: what it wrote). */
  readonly edgeTotals: Record<string, number> = {};
  readonly panels = new Map<string, Ring<PanelBatch>>();

  batch(stats: BatchStats, doneAt: number): Batch {
    const batch = { ...stats, doneAt };
    this.batches.push(batch);
    for (const [name, n] of Object.entries(stats.sources)) this.recordsIn[name] = (this.recordsIn[name] ?? 0) + n;
    for (const [edge, n] of Object.entries(stats.edges ?? {})) this.edgeTotals[edge] = (this.edgeTotals[edge] ?? 0) + n;
    return batch;
  }

  panel(name: string, time: number, rows: Row[]): PanelBatch {
    let ring = this.panels.get(name);
    if (!ring) this.panels.set(name, (ring = new Ring(PANEL_BATCHES_KEPT)));
    const batch = { time, count: rows.length, rows: rows.slice(0, PANEL_ROWS_KEPT) };
    ring.push(batch);
    return batch;
  }
}
