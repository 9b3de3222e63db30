// Every operator that keeps state across batches (windows, update-state, map-with-state) survives
// a JSON round trip of its snapshot: stopping after any batch and restoring into a fresh chain
// gives the same output as running straight through, over random batch sequences.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches, unordered as sorted, type Op } from '../../test/support/batches.ts';
import { OnError } from '../core/on-error.ts';
import type { Stateful } from './operator.ts';

/** Run `batches` from batch number `first`, optionally restoring `saved` first; returns outputs and the snapshots. */
async function run(list: Op[], batches: unknown[][], first: number, saved?: Map<number, unknown>) {
  const states = new Map<number, Stateful>();
  const keep = (i: number, s: Stateful) => void states.set(i, s);
  const restore = () => {
    for (const [i, s] of saved ?? []) states.get(i)!.restore(s);
  };
  const out = await runBatches(batches, list, { first, keep, built: restore, onError: new OnError('skip') });
  const snapshot = new Map([...states].map(([i, s]) => [i, JSON.parse(JSON.stringify(s.snapshot()))]));
  return { batches: out, snapshot };
}

const STATEFUL: [string, Op[]][] = [
  ['window + count-by-value', [['window', '3s/2s'], ['count-by-value']]],
  ['window + reduce-by-key --inverse', [['window', '3s'], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]]],
  ['window + reduce-by-key', [['window', '4s/2s'], ['reduce-by-key', 'a + b']]],
  ['reduce-by-window --inverse', [['map', 'x[1]'], ['reduce-by-window', 'a + b', { over: '3s', inverse: 'a - b' }]]],
  ['reduce-by-window', [['map', 'x[1]'], ['reduce-by-window', 'a + b', { over: '3s' }]]],
  ['group-by-key-and-window', [['group-by-key-and-window', '2s']]],
  ['count-by-window in event time', [['count-by-window', '2s', { 'event-time': 'x[1] * 1000', watermark: '1s' }]]],
  ['update-state', [['update-state', '(values, s) => values.reduce((a, b) => a + b, s ?? 0)']]],
  ['dedupe', [['dedupe', 'x[0]', { within: '2s' }]]],
  ['dedupe in event time', [['dedupe', 'x[0]', { within: '3s', 'event-time': 'x[1] * 1000', watermark: '4s' }]]],
  ['session + reduce', [['session', '2s'], ['reduce', 'a + b']]],
  ['session in event time + count', [['session', '3s', { 'event-time': 'x[1] * 1000', watermark: '2s' }], ['count']]],
  ['window + approx-distinct --by', [['window', '3s'], ['approx-distinct', 'x[1]', { by: 'x[0]' }]]],
  ['window + quantiles', [['window', '3s/2s'], ['quantiles', 'x[1]']]],
  ['window + top-k --by', [['window', '3s'], ['top-k', 2, { of: 'x[1]', by: 'x[0]' }]]],
  ['session + top-k', [['session', '2s'], ['top-k', 2]]],
  ['window + pagerank', [['window', '3s'], ['pagerank']]],
  ['map-with-state with a timeout', [['map-with-state', 'state.isTimingOut() ? k : [k, state.update((state.get() ?? 0) + v)]', { 'state-timeout': '2s' }]]],
];

describe('state survives a JSON round trip after any batch', () => {
  const pairs = fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', ['c']), fc.integer({ min: 0, max: 9 })), { maxLength: 5 }), { minLength: 1, maxLength: 10 });
  for (const [name, list] of STATEFUL) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(pairs, fc.nat(), async (batches, at) => {
          const cut = at % batches.length;
          const straight = await run(list, batches, 1);
          const before = await run(list, batches.slice(0, cut), 1);
          const after = await run(list, batches.slice(cut), cut + 1, before.snapshot);
          expect(sorted([...before.batches, ...after.batches])).toEqual(sorted(straight.batches));
        }),
        { numRuns: 100 },
      );
    });
  }
});
