// The PID rate estimator, on the cases Spark's own estimator is known for.

import { describe, expect, it } from 'vitest';
import { RateEstimator } from './rate-estimator.ts';

describe('RateEstimator', () => {
  it('learns nothing from the first batch, an empty batch or a batch out of order', () => {
    const e = new RateEstimator(1000);
    expect(e.next(1000, 1000, 500, 0)).toBeUndefined(); // the starting point
    expect(e.next(2000, 0, 500, 0)).toBeUndefined();
    expect(e.next(1000, 1000, 500, 0)).toBeUndefined(); // not after the last one
  });

  it('keeps the rate when processing keeps up exactly and nothing queues', () => {
    const e = new RateEstimator(1000);
    e.next(1000, 1000, 1000, 0);
    expect(e.next(2000, 1000, 1000, 0)).toBeCloseTo(1000);
  });

  it('lowers the rate when batches take longer than they may, more so when they queue', () => {
    const e = new RateEstimator(1000);
    e.next(1000, 10_000, 1000, 0); // 10k records a second
    const slower = e.next(2000, 10_000, 2000, 0)!; // now 5k a second
    expect(slower).toBeCloseTo(5000);
    const queued = new RateEstimator(1000);
    queued.next(1000, 10_000, 1000, 0);
    expect(queued.next(2000, 10_000, 2000, 1000)!).toBeLessThan(slower);
  });

  it('never goes below the minimum rate', () => {
    const e = new RateEstimator(1000);
    e.next(1000, 10, 1000, 0);
    expect(e.next(2000, 10, 100_000, 100_000)).toBe(100);
  });

  it('converges: a pipeline that processes 20k records a second settles at 20k', () => {
    const e = new RateEstimator(1000);
    let rate = 100_000;
    let delay = 0;
    for (let t = 1; t <= 30; t++) {
      const records = rate; // a batch holds what the sources were allowed in one second
      const processingMs = (records / 20_000) * 1000;
      delay = Math.max(0, delay + processingMs - 1000);
      rate = e.next(t * 1000, records, processingMs, delay) ?? rate;
    }
    expect(rate).toBeGreaterThan(15_000);
    expect(rate).toBeLessThan(21_000);
  });
});
