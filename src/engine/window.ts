// Runs an aggregator over a sliding window of batches: one partial result per batch is kept,
// and a window's result merges the partials it covers.

import type { WindowSpec } from '../operators/operator.ts';
import type { Aggregator, Downstream } from './stream.ts';

export function windowStage<S>(agg: Aggregator<S>, window: WindowSpec, batchMs: number, next: Downstream): Downstream {
  const span = window.lengthMs / batchMs;
  const partials: S[] = [];
  let current = agg.empty();
  let time = 0;
  return {
    begin(t) {
      time = t;
      current = agg.empty();
    },
    push(rec) {
      current = agg.add(current, rec);
    },
    end() {
      partials.push(current);
      if (partials.length > span) partials.shift();
      if (time % window.slideMs !== 0) return;
      let result = agg.empty();
      for (const p of partials) result = agg.merge(result, p);
      next.begin(time);
      agg.emit(result, (rec) => next.push(rec));
      return next.end();
    },
  };
}
