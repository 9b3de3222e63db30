// Every per-record and per-batch operator against an independent computation of the same result.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches } from '../../test/support/batches.ts';
import { OPERATORS } from './index.ts';

const words = fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'dd', ''), { maxLength: 12 }), { maxLength: 6 });

/** Counts of each element, in first-seen order, as pairs. */
function counts(xs: unknown[]): [unknown, number][] {
  const m = new Map<unknown, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m];
}

describe('stateless operators', () => {
  it('map, filter, flat-map, key-by keep batch boundaries and order', async () => {
    const out = await runBatches(
      [['a b', 'c'], [], ['dd']],
      [['flat-map', 'x.split(" ")'], ['filter', 'x !== "c"'], ['map', 'x.toUpperCase()'], ['key-by', 'x.length']],
    );
    expect(out).toEqual([
      { time: 1000, records: [[1, 'A'], [1, 'B']] },
      { time: 2000, records: [] },
      { time: 3000, records: [[2, 'DD']] },
    ]);
  });

  it('flat-map follows Array.prototype.flatMap: a non-array is one record', async () => {
    const out = await runBatches([['ab', 'c']], [['flat-map', 'x.length > 1 ? [...x] : x']]);
    expect(out[0]!.records).toEqual(['a', 'b', 'c']);
  });

  it('map-values and flat-map-values keep keys; k is bound', async () => {
    const out = await runBatches([[['a', 1], ['b', 2]]], [['map-values', 'v * 10 + k.length'], ['flat-map-values', '[x, -x]']]);
    expect(out[0]!.records).toEqual([['a', 11], ['a', -11], ['b', 21], ['b', -21]]);
  });

  it('map sees k and v of a pair, and accepts arrow functions', async () => {
    const out = await runBatches([[['a', 1]]], [['map', '`${k}=${v}`'], ['map', '(s) => s + "!"']]);
    expect(out[0]!.records).toEqual(['a=1!']);
  });

  it('map-values on a non-pair names the operator and the record', async () => {
    await expect(runBatches([['x']], [['map-values', 'v']])).rejects.toThrow(/map-values.*needs pairs \[key, value\], got "x"/);
  });
});

describe('per-batch aggregates', () => {
  it('count is 0 for an empty batch', async () => {
    const out = await runBatches([['a', 'b'], [], ['c']], [['count']]);
    expect(out.map((b) => b.records)).toEqual([[2], [0], [1]]);
  });

  it('count-by-value, reduce-by-key, group-by-key match a direct computation', async () => {
    await fc.assert(
      fc.asyncProperty(words, async (batches) => {
        const byValue = await runBatches(batches, [['count-by-value']]);
        expect(byValue.map((b) => b.records)).toEqual(batches.map(counts));
        const byKey = await runBatches(batches, [['map', '[x, 1]'], ['reduce-by-key', 'a + b']]);
        expect(byKey.map((b) => b.records)).toEqual(batches.map(counts));
        const grouped = await runBatches(batches, [['key-by', 'x.length'], ['group-by-key']]);
        expect(grouped.map((b) => b.records)).toEqual(
          batches.map((b) => [...Map.groupBy(b, (x) => x.length)].map(([k, xs]) => [k, xs])),
        );
      }),
    );
  });

  it('reduce folds a batch and emits nothing for an empty one, as Spark does', async () => {
    const out = await runBatches([[1, 2, 3], [], [5]], [['reduce', 'a + b']]);
    expect(out.map((b) => b.records)).toEqual([[6], [], [5]]);
  });

  it('combine-by-key computes per-key averages', async () => {
    const out = await runBatches(
      [[['a', 1], ['b', 4], ['a', 3]]],
      [['combine-by-key', '[v => [v, 1], (c, v) => [c[0] + v, c[1] + 1], (x, y) => [x[0] + y[0], x[1] + y[1]]]'], ['map-values', 'v[0] / v[1]']],
    );
    expect(out[0]!.records).toEqual([['a', 2], ['b', 4]]);
  });

  it('keys compare by value, so arrays and objects group together', async () => {
    const out = await runBatches([[[['x', 1], 1], [['x', 1], 2], [{ a: 1 }, 3]]], [['reduce-by-key', 'a + b']]);
    expect(out[0]!.records).toEqual([[['x', 1], 3], [{ a: 1 }, 3]]);
  });

  it('transform sees the whole batch and must return an array', async () => {
    const out = await runBatches([[3, 1, 2]], [['transform', 'x.toSorted((a, b) => a - b)']]);
    expect(out[0]!.records).toEqual([1, 2, 3]);
    await expect(runBatches([[1]], [['transform', 'x.length']])).rejects.toThrow(/transform.*must return an array/);
  });
});

describe('the registry', () => {
  it('every example parses and builds', async () => {
    const { parseChain, planChain } = await import('../cli/chain.ts');
    // pair operators' examples are pipeline-file entries, checked by src/pipeline/load.test.ts
    for (const def of OPERATORS.filter((d) => !('combine' in d))) {
      const argv = def.example.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''));
      expect(() => planChain(parseChain(argv)), def.name).not.toThrow();
    }
  });
});
