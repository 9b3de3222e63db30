// dedupe on virtual batch times: by batch time, by event time with a watermark, and its state bounded by DUR.

import { describe, expect, it } from 'vitest';
import { runBatches } from '../../test/support/batches.ts';
import { OnError } from '../core/on-error.ts';
import type { Stateful } from './operator.ts';

const records = (out: { records: unknown[] }[]) => out.map((b) => b.records);

describe('dedupe by batch time', () => {
  it('drops a key seen less than DUR before, and keeps it again once DUR has passed', async () => {
    const out = await runBatches([['a', 'b', 'a'], ['a', 'c'], ['b'], ['a', 'c']], [['dedupe', 'x', { within: '2s' }]]);
    // batch 3 (t=3000) is 2 s after batch 1: b was seen 2 s before, not within 2 s; so for a and c in batch 4
    expect(records(out)).toEqual([['a', 'b'], ['c'], ['b'], ['a', 'c']]);
  });

  it('compares keys by value, objects and arrays by their JSON', async () => {
    const out = await runBatches([[{ id: 1, n: 1 }, { id: 1, n: 2 }, { id: 2, n: 3 }]], [['dedupe', 'x.id', { within: '1m' }]]);
    expect(records(out)).toEqual([[{ id: 1, n: 1 }, { id: 2, n: 3 }]]);
    const arrays = await runBatches([[['a', 1], ['a', 1], ['a', 2]]], [['dedupe', 'x', { within: '1m' }]]);
    expect(records(arrays)).toEqual([[['a', 1], ['a', 2]]]);
  });

  it('keeps only the keys of the last DUR in its state', async () => {
    let state: Stateful | undefined;
    const batches = Array.from({ length: 20 }, (_, i) => [`k${i}`, `k${i}`]);
    const out = await runBatches(batches, [['dedupe', 'x', { within: '3s' }]], { keep: (_, s) => void (state = s) });
    expect(records(out)).toEqual(batches.map((b) => [b[0]]));
    expect((state!.snapshot() as { seen: [unknown, number][] }).seen.map(([k]) => k)).toEqual(['k17', 'k18', 'k19']);
  });
});

describe('dedupe by event time', () => {
  const byTime = (extra: Record<string, unknown> = {}) => [['dedupe', 'x.id', { within: '10s', 'event-time': 'x.t', 'event-time-unit': 's', ...extra }]] as [string, unknown, Record<string, unknown>][];

  it('drops a record within DUR of the kept one, whatever the batches, and keeps one DUR later', async () => {
    const input = [{ id: 'a', t: 100 }, { id: 'a', t: 105 }, { id: 'b', t: 106 }, { id: 'a', t: 109.9 }, { id: 'a', t: 110 }, { id: 'a', t: 115 }];
    const oneBatch = await runBatches([input], byTime());
    const oneEach = await runBatches(input.map((r) => [r]), byTime());
    expect(records(oneBatch).flat()).toEqual([{ id: 'a', t: 100 }, { id: 'b', t: 106 }, { id: 'a', t: 110 }]);
    expect(records(oneEach).flat()).toEqual(records(oneBatch).flat());
  });

  it('takes records out of order within the watermark and drops those behind it as late', async () => {
    const onError = new OnError('skip');
    const input = [[{ id: 'a', t: 100 }, { id: 'b', t: 120 }, { id: 'a', t: 98 }, { id: 'c', t: 110 }, { id: 'd', t: 90 }]];
    const out = await runBatches(input, byTime({ watermark: '25s' }), { onError });
    // a at 98 is within 10 s of a at 100; d at 90 is behind the watermark 120 - 25
    expect(records(out)).toEqual([[{ id: 'a', t: 100 }, { id: 'b', t: 120 }, { id: 'c', t: 110 }]]);
    expect(onError.late).toBe(1);
  });

  it('forgets a key once the watermark passes its time + DUR', async () => {
    let state: Stateful | undefined;
    const input = [[{ id: 'a', t: 100 }, { id: 'b', t: 105 }], [{ id: 'c', t: 112 }]];
    await runBatches(input, byTime(), { keep: (_, s) => void (state = s) });
    expect((state!.snapshot() as { seen: [unknown, number][] }).seen.map(([k]) => k)).toEqual(['b', 'c']);
  });

  it('says what is wrong with a time that is not one', async () => {
    await expect(runBatches([[{ id: 'a', t: 'soon' }]], byTime())).rejects.toThrow(/dedupe.*event time "soon" is not a time/);
  });

  it('refuses a watermark without an event time, and needs --within', async () => {
    await expect(runBatches([[]], [['dedupe', 'x', { within: '1s', watermark: '1s' }]])).rejects.toThrow(/watermark needs event-time/);
    await expect(runBatches([[]], [['dedupe', 'x']])).rejects.toThrow(/dedupe needs its option 'within'/);
  });
});
