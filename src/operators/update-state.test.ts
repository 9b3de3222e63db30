// update-state on virtual batch times: Spark's BasicOperationsSuite cases, initial state from a
// file, and a property test against a brute-force fold over random batch sequences.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches, spark, unordered as sorted } from '../../test/support/batches.ts';
import { tempDir } from '../../test/support/cli.ts';

const words = (batches: string[][]) => batches.map((b) => b.map((w) => [w, 1]));
const runningCount = '(values, state) => values.reduce((a, b) => a + b, state ?? 0)';

describe('update-state', () => {
  it("Spark's updateStateByKey: every key with state is emitted every batch", async () => {
    const input = words([['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []]);
    const expected = [
      [['a', 1]],
      [['a', 2], ['b', 1]],
      [['a', 3], ['b', 2], ['c', 1]],
      [['a', 4], ['b', 3], ['c', 1]],
      [['a', 5], ['b', 3], ['c', 1]],
      [['a', 5], ['b', 3], ['c', 1]],
    ];
    expect(sorted(await runBatches(input, [['update-state', runningCount]]))).toEqual(spark(expected));
  });

  it("Spark's object lifecycle: undefined deletes a key (seen twice in a row without values)", async () => {
    const input = words([['a', 'b'], [], ['a', 'c', 'a'], ['c'], [], []]);
    const update = `(values, s) => {
      const o = s ? { ...s } : { counter: 0, expire: 0 };
      if (values.length) { o.counter += values.length; o.expire = 0 } else o.expire++;
      return o.expire === 2 ? undefined : o;
    }`;
    const out = await runBatches(input, [['update-state', update], ['map-values', 'v.counter']]);
    expect(sorted(out)).toEqual(spark([[['a', 1], ['b', 1]], [['a', 1], ['b', 1]], [['a', 3], ['c', 1]], [['a', 3], ['c', 2]], [['c', 2]], []]));
  });

  it("Spark's initial value RDD, from a table file", async () => {
    const dir = tempDir();
    const initial = join(dir, 'initial.json');
    writeFileSync(initial, JSON.stringify({ a: 1, c: 2 }));
    const input = words([['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []]);
    const out = await runBatches(input, [['update-state', runningCount, { 'initial-state': initial }]]);
    const expected = [
      [['a', 2], ['c', 2]],
      [['a', 3], ['b', 1], ['c', 2]],
      [['a', 4], ['b', 2], ['c', 3]],
      [['a', 5], ['b', 3], ['c', 3]],
      [['a', 6], ['b', 3], ['c', 3]],
      [['a', 6], ['b', 3], ['c', 3]],
    ];
    expect(sorted(out)).toEqual(spark(expected));
  });

  it('equals a fold of every batch so far, over random batches', async () => {
    const batches = fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', ['d']), fc.integer({ min: -2, max: 2 })), { maxLength: 6 }), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(batches, async (input) => {
        // a key whose running sum returns to 0 is deleted
        const out = await runBatches(input, [['update-state', '(values, s) => { const n = values.reduce((a, b) => a + b, s ?? 0); return n === 0 ? undefined : n }']]);
        const expected = input.map((_, i) => {
          const sums = new Map<string, [unknown, number]>();
          for (const batch of input.slice(0, i + 1)) {
            for (const [k, v] of batch) {
              const id = JSON.stringify(k);
              sums.set(id, [k, (sums.get(id)?.[1] ?? 0) + v]);
            }
            for (const [id, [, n]] of sums) if (n === 0) sums.delete(id);
          }
          return { time: (i + 1) * 1000, records: [...sums.values()] };
        });
        expect(sorted(out)).toEqual(sorted(expected));
      }),
      { numRuns: 200 },
    );
  });
});
