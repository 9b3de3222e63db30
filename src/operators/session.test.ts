// Session windows on virtual batch times: by batch time and by event time (merging, lateness,
// independence from how records fall into batches), against sessions computed directly.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches, type Op } from '../../test/support/batches.ts';
import { OnError } from '../core/on-error.ts';

const records = (out: { records: unknown[] }[]) => out.map((b) => b.records);

describe('session by batch time', () => {
  it("closes a key's session after GAP without records and emits [k, result] in that batch", async () => {
    const input = [[['a', 1], ['b', 10]], [['a', 2]], [], [['b', 20]], [], [], [['a', 3]]];
    const out = await runBatches(input, [['session', '2s'], ['reduce', 'a + b']]);
    // a: batches 1-2, closes at 4 (2 s after its last); b: batch 1 closes at 3, b again at 4, closes at 6
    expect(records(out)).toEqual([[], [], [['b', 10]], [['a', 3]], [], [['b', 20]], []]);
  });

  it('emits the open sessions when the input ends', async () => {
    const out = await runBatches([[['a', 1]], [['a', 1], ['b', 1]]], [['session', '1m'], ['count']], { inputEnds: true });
    expect(records(out)).toEqual([[], [['a', 2], ['b', 1]]]);
  });

  it('runs per-record operators between it and the aggregate on the values, and alone gives the values', async () => {
    const out = await runBatches([[['a', 1], ['a', 2], ['a', 3]], []], [['session', '1s'], ['filter', 'x > 1'], ['map', 'x * 10'], ['reduce', 'a + b']]);
    expect(records(out)).toEqual([[], [['a', 50]]]);
    const alone = await runBatches([[['a', 1], ['a', 2]], []], [['session', '1s']]);
    expect(records(alone)).toEqual([[], [['a', 1], ['a', 2]]]);
  });

  it('needs pairs, saying so', async () => {
    await expect(runBatches([['x']], [['session', '1s'], ['count']])).rejects.toThrow(/needs pairs \[key, value\], got "x"/);
  });
});

describe('session by event time', () => {
  const byTime = (gap: string, extra: Record<string, unknown> = {}): Op[] => [
    // the operators after the session see the values: here the times
    ['session', gap, { 'event-time': 'x[1]', 'event-time-unit': 's', ...extra }],
    ['map', '[x, x]'],
    ['reduce', '[Math.min(a[0], b[0]), Math.max(a[1], b[1])]'],
  ];

  it('merges two sessions that a late record bridges', async () => {
    const out = await runBatches([[['a', 100], ['a', 115], ['a', 108]]], [['session', '10s', { 'event-time': 'x[1]', 'event-time-unit': 's', watermark: '30s' }], ['count']], { inputEnds: true });
    expect(records(out)).toEqual([[['a', 3]]]);
  });

  it('drops a record whose session would have closed behind the watermark as late', async () => {
    const onError = new OnError('skip');
    const out = await runBatches([[['a', 100], ['b', 130], ['a', 105], ['c', 101]]], [['session', '10s', { 'event-time': 'x[1]', 'event-time-unit': 's' }], ['count']], { onError, inputEnds: true });
    // b at 130 closes a's session (100, ended 110); a at 105 starts one that ends at 115 <= 130: late, as c
    expect(records(out)).toEqual([[['a', 1], ['b', 1]]]);
    expect(onError.late).toBe(2);
  });

  it('gives the sessions computed directly, however the records fall into batches', async () => {
    const events = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 100 })), { maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(events, fc.integer({ min: 1, max: 5 }), async (list, per) => {
        // in time order nothing is late: the sessions are the runs of a key's times with gaps under 5
        const sorted = list.toSorted((x, y) => x[1] - y[1]);
        const expected: string[] = [];
        for (const key of ['a', 'b', 'c']) {
          const times = sorted.filter(([k]) => k === key).map(([, t]) => t);
          for (let i = 0; i < times.length; ) {
            let j = i;
            while (j + 1 < times.length && times[j + 1]! - times[j]! < 5) j++;
            expected.push(JSON.stringify([key, [times[i], times[j]]]));
            i = j + 1;
          }
        }
        const batches = Array.from({ length: Math.ceil(sorted.length / per) }, (_, i) => sorted.slice(i * per, i * per + per));
        const out = await runBatches(batches.length ? batches : [[]], byTime('5s'), { inputEnds: true });
        expect(records(out).flat().map((r) => JSON.stringify(r)).sort()).toEqual(expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});
