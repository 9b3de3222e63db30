// Windows on virtual batch times: Spark's WindowOperationsSuite cases, then property tests against a
// brute-force recomputation from the raw batches, in processing time and in event time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatches, spark, unordered as sorted, type Op, type Output } from '../../test/support/batches.ts';
import { OnError } from '../core/on-error.ts';

const pairs = (list: [string, number][]) => list;
const bigInput = [
  pairs([['a', 1]]),
  pairs([['a', 1], ['b', 1]]),
  pairs([['a', 1], ['b', 1], ['c', 1]]),
  pairs([['a', 1], ['b', 1]]),
  pairs([['a', 1]]),
  [],
  pairs([['a', 1]]),
  pairs([['a', 1], ['b', 1]]),
  pairs([['a', 1], ['b', 1], ['c', 1]]),
  pairs([['a', 1], ['b', 1]]),
  pairs([['a', 1]]),
  [],
];
const bigReduceOutput = [
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1]],
  [['a', 1]],
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1]],
  [['a', 1]],
];
// Spark with an inverse and no filter: keys stay, at 0, after their last record leaves
const bigReduceInvOutput = [
  [['a', 1]],
  [['a', 2], ['b', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 2], ['c', 1]],
  [['a', 2], ['b', 1], ['c', 0]],
  [['a', 1], ['b', 0], ['c', 0]],
];
const largerSlideInput = [[['a', 1]], [['a', 2]], [['a', 3]], [['a', 4]], [['a', 5]], [['a', 6]], [], []];

describe("Spark's WindowOperationsSuite", () => {
  // as Spark's testOperation, run as many batches as the expected outputs need, empty past the input
  const windowOf = async (input: unknown[][], window: string, outputs: number) => {
    const slide = Number(/\/(\d)s/.exec(window)?.[1] ?? 1);
    const batches = Array.from({ length: outputs * slide }, (_, i) => input[i] ?? []);
    return runBatches(batches, [['window', window]]);
  };
  const numbers = [[0], [1], [2], [3], [4], [5]];

  it('window on its own gives every record of the window: basic, tumbling, larger, non-overlapping', async () => {
    expect(await windowOf(numbers, '2s', 6)).toEqual(spark([[0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]));
    expect(await windowOf(numbers, '2s/2s', 3)).toEqual(spark([[0, 1], [2, 3], [4, 5]], 2000));
    expect(await windowOf(numbers, '4s/2s', 4)).toEqual(spark([[0, 1], [0, 1, 2, 3], [2, 3, 4, 5], [4, 5]], 2000));
    expect(await windowOf(numbers, '2s/3s', 2)).toEqual(spark([[1, 2], [4, 5]], 3000));
  });

  for (const inverse of [undefined, 'a - b']) {
    const options = inverse ? { inverse } : {};
    const reduce = (input: unknown[][], window = '2s') => runBatches(input, [['window', window], ['reduce-by-key', 'a + b', options]]);
    describe(`reduceByKeyAndWindow ${inverse ? 'with' : 'without'} an inverse`, () => {
      it('basic reduction, keys entering and leaving', async () => {
        expect(sorted(await reduce([[['a', 1], ['a', 3]]]))).toEqual(spark([[['a', 4]]]));
        expect(sorted(await reduce([[['a', 1]], [['a', 1]]]))).toEqual(spark([[['a', 1]], [['a', 2]]]));
        expect(sorted(await reduce([[['a', 1]], [['a', 1], ['b', 1]]]))).toEqual(spark([[['a', 1]], [['a', 2], ['b', 1]]]));
        expect(sorted(await reduce([[['a', 1]], [['a', 1]], [], []]))).toEqual(spark([[['a', 1]], [['a', 2]], [['a', 1]], []]));
      });
      it('larger slide time', async () => {
        expect(sorted(await reduce(largerSlideInput, '4s/2s'))).toEqual(spark([[['a', 3]], [['a', 10]], [['a', 18]], [['a', 11]]], 2000));
      });
      it('big test', async () => {
        expect(sorted(await reduce(bigInput))).toEqual(spark(bigReduceOutput));
      });
    });
  }

  it("keep is Spark's filterFunc: 'true' keeps keys at 0 as Spark's unfiltered inverse does", async () => {
    const run = (keep: string) => runBatches(bigInput, [['window', '2s'], ['reduce-by-key', 'a + b', { inverse: 'a - b', keep }]]);
    expect(sorted(await run('true'))).toEqual(spark(bigReduceInvOutput));
    expect(sorted(await run('v != 0'))).toEqual(spark(bigReduceOutput));
    const removed = await runBatches([[['a', 1]], [['a', 1]], [], []], [['reduce-by-key-and-window', 'a + b', { over: '2s', inverse: 'a - b', keep: 'true' }]]);
    expect(sorted(removed)).toEqual(spark([[['a', 1]], [['a', 2]], [['a', 1]], [['a', 0]]]));
  });

  it('groupByKeyAndWindow', async () => {
    const out = await runBatches(bigInput, [['group-by-key-and-window', '2s']]);
    const expected = bigReduceOutput.map((batch) => batch.map(([k, n]) => [k, Array(n).fill(1)]));
    expect(sorted(out)).toEqual(spark(expected));
  });

  it('countByWindow', async () => {
    const out = await runBatches([[1], [1], [1, 2], [0], [], []], [['count-by-window', '2s']]);
    expect(out).toEqual(spark([[1], [2], [3], [3], [1], [0]]));
  });

  it('countByValueAndWindow', async () => {
    const out = await runBatches([['a'], ['b', 'b'], ['a', 'b']], [['count-by-value-and-window', '2s']]);
    expect(sorted(out)).toEqual(spark([[['a', 1]], [['a', 1], ['b', 2]], [['a', 1], ['b', 3]]]));
  });
});

describe('windows in processing time', () => {
  it('emits only at multiples of the slide, and the partial window when the input ends', async () => {
    const input = [[1], [2], [3]];
    expect(await runBatches(input, [['count-by-window', '4s/2s']])).toEqual([
      { time: 2000, records: [2] },
    ]);
    expect(await runBatches(input, [['count-by-window', '4s/2s']], { inputEnds: true })).toEqual([
      { time: 2000, records: [2] },
      { time: 3000, records: [3] },
    ]);
  });

  it('reduce-by-window with and without an inverse; an empty window emits nothing, as a reduce does', async () => {
    for (const options of [{ over: '2s' }, { over: '2s', inverse: 'a - b' }]) {
      const out = await runBatches([[1, 2], [3], [], [], [4]], [['reduce-by-window', 'a + b', options]]);
      expect(out).toEqual(spark([[3], [6], [3], [], [4]]));
    }
  });

  it('refuses what cannot work, all at once', async () => {
    await expect(runBatches([], [['reduce-by-key', 'a + b', { inverse: 'a - b' }]])).rejects.toThrow(/inverse only applies over a window/);
    await expect(runBatches([], [['window', '2s'], ['reduce-by-key', 'a + b', { keep: 'v > 0' }]])).rejects.toThrow(/keep needs inverse/);
    await expect(runBatches([], [['reduce-by-window', 'a + b']])).rejects.toThrow(/needs its option 'over'/);
    await expect(runBatches([], [['window', '2s'], ['count-by-window', '2s']])).rejects.toThrow(/count-by-window has a window of its own/);
    await expect(runBatches([], [['window', '2s', { watermark: '1s' }], ['count']])).rejects.toThrow(/watermark needs event-time/);
    await expect(runBatches([], [['count-by-window', '2500ms']])).rejects.toThrow(/window length 2500ms is not a multiple of the batch interval 1s; use 2s or 3s/);
  });
});

describe('windows in event time', () => {
  const at = (iso: string) => Date.parse(`2026-11-25T${iso}Z`);
  const minute = (hhmm: string) => at(`${hhmm}:00`);

  it('emits each window once the watermark passes its end, as a batch at the window end', async () => {
    const clf = (t: string) => ({ time: `25/Nov/2026:${t} +0000` });
    const onError = new OnError('skip');
    const out = await runBatches(
      [
        [clf('10:00:02'), clf('10:00:40'), clf('10:01:05')], // watermark 10:00:35: nothing closes
        [clf('10:00:50'), clf('10:01:50')], // 10:00:50 is in time; watermark 10:01:20 closes 10:01
        [clf('10:00:59'), clf('10:02:31')], // too late for 10:01; watermark 10:02:01 closes 10:02
      ],
      [['count-by-window', '1m', { 'event-time': 'x.time', watermark: '30s' }]],
      { onError },
    );
    expect(out).toEqual([
      { time: minute('10:01'), records: [3] },
      { time: minute('10:02'), records: [2] },
    ]);
    expect(onError.late).toBe(1);
  });

  it('emits what is still open when the input ends, and several windows from one batch', async () => {
    const out = await runBatches(
      [[at('10:00:01'), at('10:00:02'), at('10:01:30'), at('10:03:10'), at('10:05:00')]],
      [['window', '1m', { 'event-time': 'x' }], ['count']],
      { inputEnds: true },
    );
    expect(out).toEqual([
      { time: minute('10:01'), records: [2] },
      { time: minute('10:02'), records: [1] },
      { time: minute('10:04'), records: [1] },
      { time: minute('10:06'), records: [1] },
    ]);
  });

  it('per-record operators between the window and its aggregate see records after their time is read', async () => {
    const log = (time: string, status: number) => ({ time: `25/Nov/2026:${time} +0000`, status });
    const out = await runBatches(
      [[log('10:00:01', 200), log('10:00:30', 500), log('10:00:59', 200), log('10:01:10', 404)], [log('10:02:00', 200)]],
      [['window', '1m', { 'event-time': 'x.time' }], ['filter', 'x.status !== 404'], ['map', '[x.status, 1]'], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]],
    );
    expect(sorted(out)).toEqual(sorted([{ time: minute('10:01'), records: [[200, 2], [500, 1]] }]));
    // in processing time the same chain equals the per-record operators written before the window
    const input = [['a', 'b'], ['a'], [], ['b']];
    const inside = await runBatches(input, [['window', '2s'], ['map', '[x, 1]'], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]]);
    const before = await runBatches(input, [['map', '[x, 1]'], ['window', '2s'], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]]);
    expect(sorted(inside)).toEqual(sorted(before));
    // with no aggregate after them, they run on the window's records as they enter it
    const records = await runBatches([[1], [2], [3]], [['window', '2s'], ['map', 'x * 10'], ['transform', 'x.toReversed()']]);
    expect(records).toEqual([{ time: 1000, records: [10] }, { time: 2000, records: [20, 10] }, { time: 3000, records: [30, 20] }]);
  });

  it('--event-time-unit s reads numeric times as epoch seconds, fractions and digit texts too', async () => {
    const s = (iso: string) => at(iso) / 1000;
    const out = await runBatches(
      [[s('10:00:01'), String(s('10:00:59')), s('10:01:00') + 0.5]],
      [['window', '1m', { 'event-time': 'x', 'event-time-unit': 's' }], ['count']],
      { inputEnds: true },
    );
    expect(out).toEqual([
      { time: minute('10:01'), records: [2] },
      { time: minute('10:02'), records: [1] },
    ]);
    await expect(runBatches([], [['window', '1m', { 'event-time-unit': 's' }], ['count']])).rejects.toThrow(/event-time-unit needs event-time/);
  });

  it('a record without a readable time is a bad record', async () => {
    // thrown to the intake, which fails, skips or dead-letters it with its file and line
    await expect(runBatches([[{ t: 'soon' }]], [['count-by-window', '1s', { 'event-time': 'x.t' }]])).rejects.toThrow(
      /event time "soon" is not a time: use epoch ms, ISO 8601 or a CLF timestamp/,
    );
  });
});

// ---- property tests: every windowed aggregate against a recomputation from the raw batches ----

const key = fc.constantFrom('a', 'b', 'c', 'd', ['e', 1]);
const pairBatches = fc.array(fc.array(fc.tuple(key, fc.integer({ min: -3, max: 3 })), { maxLength: 6 }), { maxLength: 16 });
const windowShape = fc.record({ len: fc.integer({ min: 1, max: 5 }), slide: fc.integer({ min: 1, max: 6 }) });

type Agg = (records: unknown[]) => unknown[];
const count: Agg = (rs) => [rs.length];
const countByValue: Agg = (rs) => groups(rs.map((r) => [r, 1])).map(([k, ones]) => [k, ones.length]);
const sumByKey: Agg = (rs) => groups(rs as [unknown, number][]).map(([k, vs]) => [k, (vs as number[]).reduce((a, b) => a + b)]);
const groupByKey: Agg = (rs) => groups(rs as [unknown, unknown][]);
const sum: Agg = (rs) => (rs.length ? [(rs as [unknown, number][]).map(([, v]) => v).reduce((a, b) => a + b)] : []);

function groups(pairs: [unknown, unknown][]): [unknown, unknown[]][] {
  const byKey = new Map<string, [unknown, unknown[]]>();
  for (const [k, v] of pairs) {
    const id = JSON.stringify(k);
    if (!byKey.has(id)) byKey.set(id, [k, []]);
    byKey.get(id)![1].push(v);
  }
  return [...byKey.values()];
}

const PROCESSING: [string, (w: string) => Op[], Agg][] = [
  ['window alone', (w) => [['window', w]], (rs) => rs],
  ['count', (w) => [['window', w], ['count']], count],
  ['count-by-window', (w) => [['count-by-window', w]], count],
  ['count-by-value', (w) => [['window', w], ['count-by-value']], countByValue],
  ['count-by-value-and-window', (w) => [['count-by-value-and-window', w]], countByValue],
  ['reduce-by-key', (w) => [['window', w], ['reduce-by-key', 'a + b']], sumByKey],
  ['reduce-by-key --inverse', (w) => [['window', w], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]], sumByKey],
  ['reduce-by-key-and-window --inverse', (w) => [['reduce-by-key-and-window', 'a + b', { over: w, inverse: 'a - b' }]], sumByKey],
  ['group-by-key', (w) => [['window', w], ['group-by-key']], groupByKey],
  ['group-by-key-and-window', (w) => [['group-by-key-and-window', w]], groupByKey],
  ['reduce --inverse', (w) => [['map', 'x[1]'], ['window', w], ['reduce', 'a + b', { inverse: 'a - b' }]], sum],
  ['reduce-by-window', (w) => [['map', 'x[1]'], ['reduce-by-window', 'a + b', { over: w }]], sum],
];

describe('processing-time windows equal a recomputation over random batches', () => {
  for (const [name, chain, agg] of PROCESSING) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(pairBatches, windowShape, fc.boolean(), async (batches, { len, slide }, inputEnds) => {
          const out = await runBatches(batches, chain(`${len}s/${slide}s`), { inputEnds });
          const expected: Output[] = [];
          const last = batches.length;
          for (let end = slide; end <= last || (inputEnds && end - slide < last); end += slide) {
            const time = Math.min(end, last);
            // batch i (1-based) is in the window ending at `time` when time - len < i <= time
            const records = batches.filter((_, i) => i + 1 > time - len && i + 1 <= time).flat();
            expected.push({ time: time * 1000, records: agg(records) });
          }
          expect(sorted(out)).toEqual(sorted(expected));
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('event-time windows equal a simulation of watermark and lateness, record by record', () => {
  // records are [key, time in s]; times wander forward with some arriving out of order
  const timedBatches = fc.array(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 40 })), { maxLength: 5 }), { maxLength: 12 }).map((batches) =>
    batches.map((batch, i) => batch.map(([k, t]): [unknown, number] => [k, Math.max(0, i * 3 + t - 20) * 1000])),
  );
  const EVENT: [string, (w: string, o: Record<string, unknown>) => Op[], Agg][] = [
    ['window alone', (w, o) => [['window', w, o]], (rs) => rs],
    ['count-by-window', (w, o) => [['count-by-window', w, o]], count],
    ['count-by-value', (w, o) => [['window', w, o], ['count-by-value']], countByValue],
    ['reduce-by-key --inverse', (w, o) => [['window', w, o], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]], sumByKey],
    ['group-by-key', (w, o) => [['window', w, o], ['group-by-key']], groupByKey],
  ];
  const run = async (batches: unknown[][], chain: Op[], inputEnds: boolean) => {
    const onError = new OnError('skip');
    const out = await runBatches(batches, chain, { inputEnds, onError });
    return { windows: sorted(out), late: onError.late };
  };

  /**
   * Each record in input order: late if every window holding it is complete, else added; a window
   * is complete once the watermark (latest time so far less wm) passes its end.
   */
  function simulate(records: [unknown, number][], L: number, S: number, wm: number, inputEnds: boolean, agg: Agg) {
    const windows: Output[] = [];
    const accepted: [unknown, number][] = [];
    let done = -Infinity;
    let latest = -Infinity;
    let late = 0;
    const completeBy = (until: number) => {
      const ends = [...new Set(accepted.map(([, t]) => Math.floor(t / S) * S + S))].flatMap((first) =>
        Array.from({ length: Math.ceil(L / S) + 1 }, (_, j) => first + j * S),
      );
      for (const end of [...new Set(ends)].sort((a, b) => a - b)) {
        // a window is merged pane by pane: records in time order by pane, in arrival order within one
        const pane = gcd(L, S);
        const held = accepted.filter(([, t]) => t >= end - L && t < end).sort((a, b) => Math.floor(a[1] / pane) - Math.floor(b[1] / pane));
        if (end > done && end <= until && held.length) {
          windows.push({ time: end, records: agg(held) });
          done = end;
        }
      }
      if (Number.isFinite(until)) done = Math.max(done, Math.floor(until / S) * S);
    };
    for (const rec of records) {
      if (rec[1] < done + S - L) {
        late++;
        continue;
      }
      if (rec[1] > latest) completeBy((latest = rec[1]) - wm);
      accepted.push(rec);
    }
    if (inputEnds) completeBy(Infinity);
    return { windows: sorted(windows), late };
  }

  for (const [name, chain, agg] of EVENT) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(timedBatches, windowShape, fc.integer({ min: 0, max: 6 }), fc.boolean(), async (batches, { len, slide }, wm, inputEnds) => {
          const options = wm ? { 'event-time': 'x[1]', watermark: `${wm}s` } : { 'event-time': 'x[1]' };
          const actual = await run(batches, chain(`${len}s/${slide}s`, options), inputEnds);
          expect(actual).toEqual(simulate(batches.flat(), len * 1000, slide * 1000, wm * 1000, inputEnds, agg));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('gives the same windows and late records whatever the batch boundaries', async () => {
    // the same records cut into batches at random places, as read sizes, rates and intervals cut a file
    const cuts = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(timedBatches, cuts, windowShape, fc.integer({ min: 0, max: 6 }), fc.constantFrom(...EVENT), async (batches, at, { len, slide }, wm, [, chain]) => {
        const records = batches.flat();
        const bounds = [...new Set(at.map((i) => Math.min(i, records.length)))].sort((a, b) => a - b);
        const recut = [...bounds, records.length].map((end, i) => records.slice(i ? bounds[i - 1] : 0, end));
        const ops = chain(`${len}s/${slide}s`, wm ? { 'event-time': 'x[1]', watermark: `${wm}s` } : { 'event-time': 'x[1]' });
        const [a, b, one] = await Promise.all([run(batches, ops, true), run(recut, ops, true), run([records], ops, true)]);
        expect(b).toEqual(a);
        expect(one).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
