// Window benchmark: per-batch time of 1 s batches under 10 s, 60 s and 600 s windows over 100k
// distinct keys, incremental (count-by-value, reduce-by-key --inverse) against recomputation
// (reduce-by-key without an inverse). Runs the operator chain directly on virtual batch times,
// so it measures the windows, not the clock, the intake or the output.
//
//   node bench/windows.ts [--keys N] [--records N] [--timed N] [--windows 10,60,600] [--recompute 10,60]
//
// Each window is first filled (its length in batches, at least 60, untimed), then `timed` batches are measured.

import { parseArgs } from 'node:util';
import type { Downstream } from '../src/core/stream.ts';
import { buildChain, resolveOps } from '../src/operators/chain.ts';
import { ops, type Op } from '../test/support/batches.ts';

const { values: opt } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    records: { type: 'string', default: '10000' },
    timed: { type: 'string', default: '30' },
    windows: { type: 'string', default: '10,60,600' },
    recompute: { type: 'string', default: '10,60' },
  },
});
const KEYS = Number(opt.keys);
const RECORDS = Number(opt.records);
const TIMED = Number(opt.timed);
const BATCH_MS = 1000;

/** A small seeded PRNG (mulberry32): the same batches on every run and machine. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const names = Array.from({ length: KEYS }, (_, i) => `key${i}`);

/** Per-batch milliseconds of `chain` once its window of `seconds` is full. */
async function measure(chain: Op[], seconds: number): Promise<{ median: number; p90: number; out: number }> {
  const { ops: resolved, problems } = resolveOps(ops(...chain), BATCH_MS);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('\n'));
  let out = 0;
  const sink: Downstream = { begin() {}, push: () => void out++, end() {} };
  const head = buildChain(resolved, sink);
  const random = prng(42);
  const times: number[] = [];
  const fill = Math.max(seconds, 60); // the window full, and the JIT warm
  for (let b = 0; b < fill + TIMED; b++) {
    const batch = Array.from({ length: RECORDS }, () => [names[Math.floor(random() * KEYS)], 1]);
    if (b === fill) out = 0;
    const started = performance.now();
    head.begin((b + 1) * BATCH_MS);
    for (const rec of batch) head.push(rec);
    await head.end();
    if (b >= fill) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]!, out: out / TIMED };
}

const CHAINS: [string, (w: string) => Op[], string][] = [
  ['count-by-value-and-window', (w) => [['map', 'x[0]'], ['count-by-value-and-window', w]], opt.windows],
  ['reduce-by-key --inverse', (w) => [['window', w], ['reduce-by-key', 'a + b', { inverse: 'a - b' }]], opt.windows],
  ['reduce-by-key (recomputed)', (w) => [['window', w], ['reduce-by-key', 'a + b']], opt.recompute],
];

console.log(`1 s batches of ${RECORDS} records over ${KEYS} distinct keys; ${TIMED} timed batches once the window is full\n`);
console.log(`${'chain'.padEnd(28)} ${'window'.padStart(7)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ${'pairs/batch'.padStart(12)}`);
for (const [name, chain, windows] of CHAINS) {
  for (const seconds of windows.split(',').filter(Boolean).map(Number)) {
    const r = await measure(chain(`${seconds}s`), seconds);
    console.log(`${name.padEnd(28)} ${`${seconds}s`.padStart(7)} ${r.median.toFixed(1).padStart(10)} ${r.p90.toFixed(1).padStart(8)} ${Math.round(r.out).toString().padStart(12)}`);
  }
}
