// --repartition N: the per-record operators after it run on N worker threads, order kept.

import { describe, expect, it } from 'vitest';
import { sluice } from './support/cli.ts';

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

describe('--repartition', () => {
  it('gives the same records in the same order as running on one thread', async () => {
    const input = numbers(50_000);
    const chain = ['--map', 'Number(x) * 3', '--filter', 'x % 2 === 1', '--flat-map', '[x, -x]'];
    const serial = await sluice(['-b', '1h', ...chain], input);
    const parallel = await sluice(['-b', '1h', '--repartition', '3', ...chain], input);
    expect(parallel.code).toBe(0);
    expect(parallel.stdout).toBe(serial.stdout);
    expect(parallel.stdout.split('\n').length - 1).toBe(50_000);
  });

  it('feeds the operators after the parallel run: an aggregate sees every record', async () => {
    const r = await sluice(['-b', '1h', '--repartition', '2', '--map', 'Number(x) % 7', '--count-by-value'], numbers(7000));
    expect(r.stdout.trim().split('\n').sort()).toEqual(['0\t1000', '1\t1000', '2\t1000', '3\t1000', '4\t1000', '5\t1000', '6\t1000']);
  });

  it('reports records an operator fails on, per --on-error', async () => {
    const input = '1\n{\n3\n';
    const failed = await sluice(['--repartition', '2', '--map', 'JSON.parse(x)'], input);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^sluice: error: --repartition: --map: SyntaxError: /);
    const skipped = await sluice(['--repartition', '2', '--map', 'JSON.parse(x)', '--on-error', 'skip'], input);
    expect(skipped.stdout).toBe('1\n3\n');
    expect(skipped.stderr).toBe('sluice: 1 bad record skipped\n');
  });
});
