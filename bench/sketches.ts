// Sketch benchmark: 1 s batches of N values (1M by default) into --quantiles and --approx-distinct
// over a 60 s window, sliding every batch: the time a batch takes (feeding its values, merging the
// window's 60 panes, reading the result), against the 1 s it has. Runs the operator chain directly
// on virtual batch times, so it measures the sketches, not the intake or the output.
//
//   node bench/sketches.ts [--records N] [--timed N] [--window 60]

import { parseArgs } from 'node:util';
import type { Downstream } from '../src/core/stream.ts';
import { buildChain, resolveOps } from '../src/operators/chain.ts';
import { ops, type Op } from '../test/support/batches.ts';

const { values: opt } = parseArgs({
  options: { records: { type: 'string', default: '1000000' }, timed: { type: 'string', default: '5' }, window: { type: 'string', default: '60' } },
});
const RECORDS = Number(opt.records);
const TIMED = Number(opt.timed);
const WINDOW = Number(opt.window);

function run(name: string, list: Op[], value: (i: number) => unknown): void {
  const { ops: resolved, problems } = resolveOps(ops(...list), 1000);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('\n'));
  let last: unknown;
  const sink: Downstream = { begin() {}, push: (rec) => void (last = rec), end() {} };
  const chain = buildChain(resolved, sink);
  const times: number[] = [];
  let n = 0;
  for (let b = 1; b <= WINDOW + TIMED; b++) {
    const start = performance.now();
    chain.begin(b * 1000);
    for (let i = 0; i < RECORDS; i++) chain.push(value(n++));
    void chain.end();
    if (b > WINDOW) times.push(performance.now() - start);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const rate = Math.round(RECORDS / (mean / 1000));
  console.log(`${name}: ${mean.toFixed(0)} ms a batch of ${RECORDS} values over a ${WINDOW} s window (${(rate / 1e6).toFixed(2)}M values/s); last result ${JSON.stringify(last)}`);
}

run('quantiles', [['window', `${WINDOW}s`], ['quantiles', 'x', { q: '0.5,0.9,0.99' }]], (i) => (i % 100_000) + 1);
run('approx-distinct', [['window', `${WINDOW}s`], ['approx-distinct', 'x']], (i) => `user-${i % 5_000_000}`);
