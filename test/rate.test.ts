// --max-rate and --adaptive-rate on the real binary: batch sizes follow the rate asked for, or the
// rate the pipeline can process at.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';

/** 100-byte numbered lines, so that a rate-limited read holds a few dozen of them. */
function lines(n: number): string {
  const dir = tempDir();
  const path = join(dir, 'in.txt');
  writeFileSync(path, Array.from({ length: n }, (_, i) => `${String(i).padStart(6, '0')}${'.'.repeat(93)}\n`).join(''));
  return path;
}

/** [records in, scheduling delay ms] of each batch, from -v. */
function batches(stderr: string): [number, number][] {
  return [...stderr.matchAll(/: (\d+) in, .* (\d+) ms scheduling delay/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('rates', () => {
  it('--max-rate caps every batch, the first one too', { timeout: 20_000 }, async () => {
    const r = await sluice(['-v', '-b', '100ms', '-i', lines(3000), '--max-rate', '5000', '--count']);
    expect(r.code).toBe(0);
    const seen = batches(r.stderr);
    expect(seen.reduce((a, [n]) => a + n, 0)).toBe(3000);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    // 5000 a second: no batch takes more than 500 (100 ms of it), the first one too
    for (const [n] of seen) expect(n).toBeLessThanOrEqual(500);
  });

  it('--adaptive-rate settles where a batch takes about one interval to process', { timeout: 30_000 }, async () => {
    // 1 ms of work a record: the pipeline processes about 200 records in a 200 ms batch
    const slow = '(() => { const t = performance.now(); while (performance.now() - t < 1); return x })()';
    const r = await sluice(['-v', '-b', '200ms', '-i', lines(4000), '--adaptive-rate', '--map', slow, '--count']);
    expect(r.code).toBe(0);
    const seen = batches(r.stderr);
    expect(seen.reduce((a, [n]) => a + n, 0)).toBe(4000);
    const settled = seen.slice(3, -1); // past the start, before the partial last batch
    expect(settled.length).toBeGreaterThan(5);
    // how many records a batch settles at depends on the CPU the machine gives (about 200 on an idle
    // core); that it settles, well below the whole file and without batches queueing up, does not
    const typical = median(settled.map(([n]) => n));
    expect(typical).toBeLessThan(1000);
    for (const [n] of settled) expect(n).toBeLessThan(typical * 4);
    expect(median(settled.map(([, delayMs]) => delayMs))).toBeLessThan(200);
  });
});
