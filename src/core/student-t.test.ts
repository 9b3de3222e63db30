// The t distribution's two-sided tail against its closed forms (1 and 2 degrees of freedom) and
// published table values.

import { describe, expect, it } from 'vitest';
import { regularizedBeta, twoSidedP } from './student-t.ts';

describe('twoSidedP', () => {
  it('matches the closed forms of 1 and 2 degrees of freedom to 1e-12', () => {
    for (const t of [0, 0.1, 0.5, 1, 2, 5, 30, 1e3, -3]) {
      expect(twoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(Math.abs(t)), 12);
      expect(twoSidedP(t, 2)).toBeCloseTo(1 - Math.abs(t) / Math.sqrt(2 + t * t), 12);
    }
  });

  it("gives a t table's critical values their tail", () => {
    // two-sided 5% and 1% critical values of Student's t table
    for (const [t, df, p] of [[12.706, 1, 0.05], [2.228, 10, 0.05], [2.042, 30, 0.05], [3.169, 10, 0.01], [2.576, 1e9, 0.01], [1.96, 1e9, 0.05]] as const) {
      expect(Math.abs(twoSidedP(t, df) - p) / p).toBeLessThan(2e-3);
    }
  });

  it('keeps its relative accuracy far in the tail and for fractional degrees of freedom', () => {
    // with 2 degrees of freedom the tail is 1 - t/√(2+t²) = 2/(√(2+t²)·(√(2+t²)+t)), exact without cancellation
    const t = 1e6;
    const s = Math.sqrt(2 + t * t);
    expect(twoSidedP(t, 2) / (2 / (s * (s + t)))).toBeCloseTo(1, 9);
    expect(twoSidedP(2, 7.5)).toBeGreaterThan(twoSidedP(2, 8));
    expect(twoSidedP(2, 7.5)).toBeLessThan(twoSidedP(2, 7));
  });

  it('is the regularized incomplete beta function at its symmetric points', () => {
    expect(regularizedBeta(0.5, 3, 3)).toBeCloseTo(0.5, 14);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
  });
});
