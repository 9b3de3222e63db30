// map-with-state on virtual batch times: Spark's MapWithStateSuite cases (outputs, state snapshots,
// removal, initial state, timeouts) and a property test of timeouts against a simulation.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches, spark, unordered as sorted, type Op } from '../../test/support/batches.ts';
import { tempDir } from '../../test/support/cli.ts';

const words = (batches: string[][]) => batches.map((b) => b.map((w) => [w, 1]));

const input = words([[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []]);
const stateData = [
  [],
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 3], ['b', 2], ['c', 1]],
  [['a', 4], ['b', 3], ['c', 1]],
  [['a', 5], ['b', 3], ['c', 1]],
  [['a', 5], ['b', 3], ['c', 1]],
];
const runningSum = '(k, v, state) => state.update((state.get() ?? 0) + v)';
const run = (fn: string, options: Record<string, unknown> = {}, batches = input) => runBatches(batches, [['map-with-state', fn, options]] as Op[]);

describe('map-with-state', () => {
  it("Spark's basic operations: what E returns is emitted, for keys with data only", async () => {
    expect(sorted(await run(runningSum))).toEqual(spark([[], [1], [2, 1], [3, 2, 1], [4, 3], [5], []]));
    expect(sorted(await run(runningSum, { 'state-snapshots': true }))).toEqual(spark(stateData));
  });

  it("Spark's states as mapped data, and a bare expression", async () => {
    const out = await run('[k, state.update((state.get() ?? 0) + v)]');
    expect(sorted(out)).toEqual(spark([[], [['a', 1]], [['a', 2], ['b', 1]], [['a', 3], ['b', 2], ['c', 1]], [['a', 4], ['b', 3]], [['a', 5]], []]));
  });

  it("Spark's state removing", async () => {
    const batches = words([[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []]);
    const fn = '(k, v, state) => { if (state.exists()) { state.remove(); return k } state.update(v) }';
    expect(sorted(await run(fn, {}, batches))).toEqual(spark([[], [], ['a'], ['b'], ['a', 'c'], ['b'], ['a'], []]));
    const states = [[], [['a', 1]], [['b', 1]], [['a', 1], ['c', 1]], [['b', 1]], [['a', 1]], [], []];
    expect(sorted(await run(fn, { 'state-snapshots': true }, batches))).toEqual(spark(states));
  });

  it("Spark's initial states, with nothing returned", async () => {
    const initial = join(tempDir(), 'initial.ndjson');
    writeFileSync(initial, '["a", 5]\n["b", 10]\n["c", -20]\n["d", 0]\n');
    const fn = '(k, v, state) => { state.update(state.get() + v) }';
    const expected = [
      [['a', 5], ['b', 10], ['c', -20], ['d', 0]],
      [['a', 6], ['b', 10], ['c', -20], ['d', 0]],
      [['a', 7], ['b', 11], ['c', -20], ['d', 0]],
      [['a', 8], ['b', 12], ['c', -19], ['d', 0]],
      [['a', 9], ['b', 13], ['c', -19], ['d', 0]],
      [['a', 10], ['b', 13], ['c', -19], ['d', 0]],
      [['a', 10], ['b', 13], ['c', -19], ['d', 0]],
    ];
    expect(sorted(await run(fn, { 'initial-state': initial, 'state-snapshots': true }))).toEqual(spark(expected));
    expect((await run(fn, { 'initial-state': initial })).flatMap((b) => b.records)).toEqual([]);
  });

  it("Spark's state timing out: each idle key runs once more, timing out, then is gone", async () => {
    const batches = words([['a', 'b', 'c'], ['a', 'b'], ['a'], [], [], ['a'], ...Array(20).fill(['a'])]);
    const fn = '(k, v, state) => { if (v !== undefined) state.update(1); if (state.isTimingOut()) return [k, state.get()] }';
    const out = await run(fn, { 'state-timeout': '3s' }, batches);
    // a key last seen at batch time T times out in the first batch after T + 3s, as in Spark
    expect(out.filter((b) => b.records.length)).toEqual([
      { time: 5000, records: [['c', 1]] },
      { time: 6000, records: [['b', 1]] },
    ]);
    const states = await run(fn, { 'state-timeout': '3s', 'state-snapshots': true }, batches);
    expect(states.some((b) => b.records.length === 3)).toBe(true);
    expect(states.at(-1)!.records).toEqual([['a', 1]]);
  });

  it('a state cannot be changed while it times out', async () => {
    const batches = words([['a'], [], [], []]);
    await expect(run('(k, v, s) => { s.update(1) }', { 'state-timeout': '1s' }, batches)).rejects.toThrow(/state.update\(\) on a key that is timing out/);
  });

  it('times out exactly the keys idle longer than the timeout, over random batches', async () => {
    const batches = fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 3 }), { maxLength: 15 });
    await fc.assert(
      fc.asyncProperty(batches, fc.integer({ min: 1, max: 4 }), async (keys, timeout) => {
        const fn = '(k, v, s) => { if (s.isTimingOut()) return ["out", k]; s.update((s.get() ?? 0) + 1); return ["in", k] }';
        const out = await run(fn, { 'state-timeout': `${timeout}s` }, words(keys));
        const seen = new Map<string, number>();
        const expected = keys.map((batch, i) => {
          const time = (i + 1) * 1000;
          const records: unknown[] = batch.map((k) => ['in', k]);
          for (const k of batch) seen.set(k, time);
          for (const [k, at] of seen) {
            if (at + timeout * 1000 < time) {
              records.push(['out', k]);
              seen.delete(k);
            }
          }
          return { time, records };
        });
        expect(sorted(out)).toEqual(sorted(expected));
      }),
      { numRuns: 200 },
    );
  });
});
