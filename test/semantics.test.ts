// End to end through bin/sluice: the semantics users rely on (issue 13): Spark's window() on its
// own, the batch time in expressions, deterministic event time, --max-rate as a per-batch cap,
// --once/--schedule over existing files, and --repartition bounded by the cores.

import { describe, expect, it } from 'vitest';
import { sluice } from './support/cli.ts';

describe("Spark's window() on its own", () => {
  it("passes Spark's WindowOperationsSuite window cases run by sluice test", async () => {
    const r = await sluice(['test', 'test/spark/window.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/4 cases: 4 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('gives every record of the window at each slide, to per-record operators, --transform or the output', async () => {
    const live = ['-b', '1s', '--window', '3s', '--map', 'x + "!"', '--transform', 'x.toSorted()'];
    const r = await sluice(live, 'b\na\n');
    expect(r.stdout).toBe('a!\nb!\n');
    expect(r.code).toBe(0);
    // in event time: tumbling windows, each emitted with its records as the batch of its end
    const events = '{"t":1000}\n{"t":2500}\n{"t":500}\n';
    const e = await sluice(['--parse', 'json', '--window', '2s', '--event-time', 'x.t', '--map', 'x.t', '--with-time'], events);
    expect(e.stdout).toBe('2000\t1000\n2000\t500\n4000\t2500\n');
  });
});
