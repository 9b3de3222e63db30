// The page's history stays bounded however long the run.

import { describe, expect, it } from 'vitest';
import { BATCHES_KEPT, History, PANEL_BATCHES_KEPT, PANEL_ROWS_KEPT, Ring } from './history.ts';

describe('Ring', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(new Ring<number>(3).toArray()).toEqual([]);
  });
});

describe('History', () => {
  it('keeps the last batches and panel batches, and totals over all of them', () => {
    const history = new History();
    for (let i = 1; i <= BATCHES_KEPT + 10; i++) {
      history.batch({ time: i * 100, recordsIn: 2, recordsOut: 1, processingMs: 1, delayMs: 0, sources: { in1: 2 }, edges: { 'main->sink:0': 1 } }, i);
      history.panel('p', i * 100, Array.from({ length: PANEL_ROWS_KEPT + 5 }, (_, k) => ({ key: String(k), value: '1' })));
    }
    const batches = history.batches.toArray();
    expect(batches).toHaveLength(BATCHES_KEPT);
    expect(batches[0]!.time).toBe(1100);
    expect(history.recordsIn).toEqual({ in1: 2 * (BATCHES_KEPT + 10) });
    expect(history.edgeTotals).toEqual({ 'main->sink:0': BATCHES_KEPT + 10 });
    const panel = history.panels.get('p')!.toArray();
    expect(panel).toHaveLength(PANEL_BATCHES_KEPT);
    expect(panel.at(-1)).toMatchObject({ count: PANEL_ROWS_KEPT + 5 });
    expect(panel.at(-1)!.rows).toHaveLength(PANEL_ROWS_KEPT);
  });
});
