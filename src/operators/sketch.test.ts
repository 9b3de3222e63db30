// The sketch aggregates against exact answers on 1M generated values (HyperLogLog within its
// stated error, DDSketch within its relative accuracy, top-k's recall), and their windowed and
// per-key forms against the same sketch fed every value at once.

import { describe, expect, it } from 'vitest';
import { runBatches } from '../../test/support/batches.ts';
import { random } from '../../test/support/random.ts';
import { Hll } from './approx-distinct.ts';
import { RELATIVE_ACCURACY } from './quantiles.ts';
import { capacityFor, Frequent } from './top-k.ts';

// seeded: the same values every run, so a bound that holds, holds
const MILLION = 1_000_000;

describe('approx-distinct (HyperLogLog)', () => {
  const standardError = 1.04 / Math.sqrt(2 ** 14);

  it('is within 2.58 standard errors (the 99% bound) on 1M distinct values among 2M', () => {
    const hll = new Hll(14);
    for (let i = 0; i < 2 * MILLION; i++) hll.update(`user-${i % MILLION}`);
    expect(Math.abs(hll.count() - MILLION) / MILLION).toBeLessThan(2.58 * standardError);
  });

  it('is within 2.58 standard errors in at least 99 of 100 trials, and within one in about 68', () => {
    const errors: number[] = [];
    for (let trial = 0; trial < 100; trial++) {
      const hll = new Hll(14);
      const n = 10_000 + trial * 1_000; // from below 1 to over 6 values a register: the estimator's whole range
      for (let i = 0; i < n; i++) hll.update(`t${trial}-${i}`);
      errors.push(Math.abs(hll.count() - n) / n / standardError);
    }
    expect(errors.filter((e) => e <= 2.58).length).toBeGreaterThanOrEqual(99);
    expect(errors.filter((e) => e <= 1).length).toBeGreaterThan(55);
  });

  it('counts small sets exactly enough and an empty one as 0', () => {
    expect(new Hll(14).count()).toBe(0);
    for (const n of [1, 10, 100, 1000]) {
      const hll = new Hll(14);
      for (let i = 0; i < n; i++) hll.update(String(i));
      expect(Math.abs(hll.count() - n)).toBeLessThanOrEqual(Math.max(1, n * 0.01));
    }
  });
});

describe('quantiles (DDSketch)', () => {
  it('gives each quantile of 1M values within its relative accuracy, for skewed and spread distributions', async () => {
    const next = random(7);
    const distributions: Record<string, () => number> = {
      uniform: () => next() * 1000,
      exponential: () => -Math.log(1 - next()) * 50,
      lognormal: () => Math.exp(2 + 1.5 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())),
    };
    const qs = [0.5, 0.9, 0.99, 0.999];
    for (const [name, draw] of Object.entries(distributions)) {
      const values = Array.from({ length: MILLION }, draw);
      const [out] = await runBatches([values], [['quantiles', 'x', { q: qs.join(',') }]]);
      const estimated = out!.records[0] as Record<string, number>;
      const sorted = values.toSorted((a, b) => a - b);
      for (const q of qs) {
        const exact = sorted[Math.floor(q * (MILLION - 1))]!;
        expect(Math.abs(estimated[String(q)]! - exact) / exact, `${name} q=${q}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
      }
    }
  });

  it('takes numeric text, gives null quantiles for an empty batch, and names a value that is not a number', async () => {
    const out = await runBatches([['10', 20], []], [['quantiles', 'x', { q: '0,1' }]]);
    expect(out[1]!.records).toEqual([{ 0: null, 1: null }]);
    await expect(runBatches([['ten']], [['quantiles', 'x']])).rejects.toThrow(/quantiles.*needs numbers, got "ten"/);
    await expect(runBatches([[]], [['quantiles', 'x', { q: '0.5,1.5' }]])).rejects.toThrow(/q: '1.5' is not a quantile/);
  });
});

describe('top-k (Misra-Gries)', () => {
  it('finds the exact top 10 of 1M Zipf-distributed values over 100k items, counts within the bound', () => {
    const next = random(11);
    const items = 100_000;
    // Zipf(1) by inverse transform over the harmonic numbers
    const harmonic = Math.log(items) + 0.5772156649;
    const draw = () => Math.min(items, Math.floor(Math.exp(next() * harmonic - 0.5772156649)) + 1);
    const exact = new Map<number, number>();
    const summary = new Frequent(capacityFor(10));
    for (let i = 0; i < MILLION; i++) {
      const v = draw();
      exact.set(v, (exact.get(v) ?? 0) + 1);
      summary.add(v);
    }
    const truth = [...exact].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const found = summary.top(10);
    const recall = found.filter(([v]) => truth.some(([t]) => t === v)).length / 10;
    expect(recall).toBe(1);
    const bound = MILLION / (capacityFor(10) + 1);
    for (const [v, n] of found) {
      expect(n).toBeLessThanOrEqual(exact.get(v as number)!);
      expect(exact.get(v as number)! - n).toBeLessThanOrEqual(bound);
    }
  });

  it('counts exactly while the values fit, ties in the order first seen', async () => {
    const out = await runBatches([['b', 'a', 'c', 'a', 'b', 'd']], [['top-k', 2]]);
    expect(out[0]!.records).toEqual([['b', 2], ['a', 2]]);
  });
});

describe('sketches over windows and per key', () => {
  const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 2000 }, (_, i) => [`k${i % 3}`, (b * 1000 + i * 7) % 5000]));
  const cases: [string, unknown, Record<string, unknown>][] = [
    ['approx-distinct', 'x[1]', {}],
    ['quantiles', 'x[1]', { q: '0.1,0.5,0.9' }],
    ['top-k', 5, { of: 'x[1] % 50' }],
  ];

  it.each(cases)('%s over a window is the same sketch fed the window at once, pane by pane merged', async (name, arg, options) => {
    const windowed = await runBatches(batches, [['window', '3s'], [name, arg, options]]);
    for (let i = 0; i < batches.length; i++) {
      const [whole] = await runBatches([batches.slice(Math.max(0, i - 2), i + 1).flat()], [[name, arg, options]]);
      expect(windowed[i]!.records).toEqual(whole!.records);
    }
  });

  it.each(cases)('%s --by gives per key what the sketch gives of that key alone', async (name, arg, options) => {
    const [byKey] = await runBatches([batches[0]!], [[name, arg, { ...options, by: 'x[0]' }]]);
    for (const key of ['k0', 'k1', 'k2']) {
      const [alone] = await runBatches([batches[0]!.filter(([k]) => k === key)], [[name, arg, options]]);
      const result = name === 'top-k' ? alone!.records : alone!.records[0];
      expect(byKey!.records).toContainEqual([key, result]);
    }
  });
});
