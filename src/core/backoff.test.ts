// The retry schedule: doubling up to the ceiling, the jitter within the upper half.

import { describe, expect, it } from 'vitest';
import { backoffMs, wait } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from 100 ms and stops growing at 30 s', () => {
    const top = (attempt: number) => backoffMs(attempt, () => 1);
    expect([0, 1, 2, 3, 4].map(top)).toEqual([100, 200, 400, 800, 1600]);
    expect(top(9)).toBe(30_000);
    expect(top(1000)).toBe(30_000);
  });

  it('waits at least half the ceiling, at most all of it', () => {
    expect(backoffMs(3, () => 0)).toBe(400);
    expect(backoffMs(3, () => 0.5)).toBe(600);
    for (let attempt = 0; attempt < 20; attempt++) {
      const ms = backoffMs(attempt);
      const ceiling = Math.min(30_000, 100 * 2 ** attempt);
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('wait', () => {
  it('ends early when aborted', async () => {
    const stop = new AbortController();
    const waited = wait(60_000, stop.signal);
    stop.abort();
    expect(await waited).toBe(false);
    expect(await wait(1)).toBe(true);
  });
});
