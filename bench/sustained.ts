// Sustained-load benchmark: lines fed to sluice's stdin at a steady rate for a while, and the p50/p99
// of each batch's total delay (scheduling + processing, as `-v` reports them) against issue 15's
// target of the interval + 50 ms.
//
//   node bench/sustained.ts [--seconds N] [RATE@INTERVAL ...]    (default: 1000000@1s 200000@100ms)

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const SLUICE = path.resolve(import.meta.dirname, '..', 'bin', 'sluice');
const { values: opt, positionals } = parseArgs({ options: { seconds: { type: 'string', default: '10' } }, allowPositionals: true });
const SECONDS = Number(opt.seconds);
/** How often the feeder writes: often enough that a 100 ms batch sees ten writes. */
const TICK_MS = 10;
/** Lines of a few words, the kind a word count or a count by field reads. */
const LINES = Array.from({ length: 1000 }, (_, i) => `host${i % 37} GET /page/${i % 211} ${[200, 200, 200, 304, 404, 500][i % 6]}\n`).join('');
const LINE_COUNT = 1000;

/** p-th percentile (0..1) of `xs`, nearest rank. */
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)];

async function run(rate: number, interval: string): Promise<void> {
  const intervalMs = interval.endsWith('ms') ? Number(interval.slice(0, -2)) : Number(interval.slice(0, -1)) * 1000;
  const child = spawn(SLUICE, ['-v', '-b', interval, '--parse', 'split', '--map', 'x[3]', '--count-by-value'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const started = performance.now();
  let sent = 0;
  // write what the rate owes by now, in whole blocks of LINES; wait for the pipe when it is full
  while (performance.now() - started < SECONDS * 1000) {
    const owed = Math.floor(((performance.now() - started) / 1000) * rate) - sent;
    for (let blocks = Math.floor(owed / LINE_COUNT); blocks > 0; blocks--) {
      sent += LINE_COUNT;
      if (!child.stdin.write(LINES)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  const fed = (performance.now() - started) / 1000;
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  const batches = [...stderr.matchAll(/(\d+) in, \d+ out, (\d+) ms processing, (\d+) ms scheduling delay/g)].map((m) => ({ in: Number(m[1]), total: Number(m[2]) + Number(m[3]) }));
  // the first batches see the process start, the last the end of the input: the steady ones between
  const steady = batches.slice(2, -1).map((b) => b.total);
  const [p50, p99] = [percentile(steady, 0.5), percentile(steady, 0.99)];
  const met = p99 <= intervalMs + 50 && sent / fed >= rate * 0.95;
  console.log(
    `${String(rate).padStart(8)} lines/s @ ${interval.padEnd(5)}: fed ${Math.round(sent / fed)} lines/s over ${fed.toFixed(1)} s, ${steady.length} steady batches, ` +
      `total delay p50 ${p50} ms, p99 ${p99} ms (target p99 ≤ ${intervalMs + 50} ms at the full rate) ${met ? 'met' : 'NOT met'}`,
  );
}

for (const spec of positionals.length ? positionals : ['1000000@1s', '200000@100ms']) {
  const [rate, interval] = spec.split('@');
  await run(Number(rate), interval);
}
