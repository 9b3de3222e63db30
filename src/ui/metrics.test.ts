// /metrics as prom-client writes it: a prometheus: sink's gauges, their keys escaped, capped, and
// only numbers; names that clash are refused before the run.

import { describe, expect, it, vi } from 'vitest';
import { OnError } from '../core/on-error.ts';
import { KEY_CAP, Metrics } from './metrics.ts';

const live = { backlog: () => ({ queuedChars: 5, pausedSources: 1 }), checkpointAt: () => undefined, onError: new OnError('skip') };

describe('Metrics', () => {
  it('counts batches per source and sink, and reads what waits when scraped', async () => {
    const metrics = new Metrics(live, ['-', 'dashboard:x'], false);
    metrics.batch({ time: 2000, recordsIn: 3, recordsOut: 4, processingMs: 20, delayMs: 0, sources: { in1: 3 }, edges: { 'in1->main': 3, 'main->sink:0': 2, 'main->sink:1': 2 } });
    const text = await metrics.registry.metrics();
    expect(text).toContain('sluice_records_in_total{source="in1"} 3');
    expect(text).toContain('sluice_records_out_total{sink="-"} 2');
    expect(text).toContain('sluice_records_out_total{sink="dashboard:x"} 2');
    expect(text).toContain('sluice_queued_bytes 5');
    expect(text).toContain('sluice_paused_sources 1');
    expect(text).toContain('sluice_last_batch_time_seconds 2');
    expect(text).toContain('sluice_batch_processing_seconds_bucket{le="0.025"} 1');
    expect(text).not.toContain('sluice_checkpoint_age_seconds'); // no --checkpoint
  });

  it("sets a prometheus: sink's gauges from each batch: keys escaped, the last batch only, numbers only, capped", async () => {
    const notes = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const metrics = new Metrics(live, [], false);
      const set = metrics.gauges('codes');
      set([{ key: 'gone', value: '1' }]);
      set([{ key: 'a"b\\c\nd', value: '2' }, { key: 'word', value: 'many' }, { key: 'x', value: '1.5' }]);
      const text = await metrics.registry.metrics();
      expect(text).toContain('sluice_codes{key="a\\"b\\\\c\\nd"} 2');
      expect(text).toContain('sluice_codes{key="x"} 1.5');
      expect(text).not.toContain('key="gone"');
      expect(text).not.toContain('key="word"');
      set(Array.from({ length: KEY_CAP + 1 }, (_, i) => ({ key: `k${i}`, value: '1' })));
      expect((await metrics.registry.metrics()).match(/^sluice_codes\{/gm)).toHaveLength(KEY_CAP);
      const said = notes.mock.calls.map((c) => String(c[0])).join('');
      expect(said).toContain(`prometheus:codes: a batch of ${KEY_CAP + 1} keys; only the first ${KEY_CAP} are exposed`);
      expect(said).toContain('a value that is not a number (key "word") is left out');
    } finally {
      notes.mockRestore();
    }
  });

  it('refuses a name that is taken', () => {
    const metrics = new Metrics(live, [], false);
    expect(() => metrics.gauges('batches_total')).toThrow('prometheus:batches_total: the metric sluice_batches_total is already there');
  });
});
