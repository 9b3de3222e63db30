// Dedupe, session windows and sketch aggregates end to end through the real bin/sluice: flag
// chains, their usage errors, and their state carried from one run to the next by --checkpoint.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';

describe('--dedupe', () => {
  it("drops repeats of a key within DUR by the records' own times; one behind the watermark is late", async () => {
    const input = ['a 100', 'b 101', 'a 105', 'a 111', 'b 102'].join('\n');
    const r = await sluice(['--parse', 'split', '--dedupe', 'x[0]', '--within', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--map', 'x.join(" ")'], input);
    expect(r).toMatchObject({ code: 0, stdout: 'a 100\nb 101\na 111\n', stderr: 'sluice: 1 late record dropped\n' });
  });

  it('remembers the keys of the last run with --checkpoint, and only those', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    const args = ['-i', input, '--checkpoint', join(dir, 'cp'), '--parse', 'split', '--dedupe', 'x[0]', '--within', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--map', 'x.join(" ")'];
    writeFileSync(input, 'a 100\nb 101\n');
    expect((await sluice(args)).stdout).toBe('a 100\nb 101\n');
    appendFileSync(input, 'a 105\nc 106\nb 111\n');
    const second = await sluice(args);
    expect(second).toMatchObject({ code: 0, stdout: 'c 106\nb 111\n', stderr: '' });
  });

  it('refuses --within without --dedupe and --dedupe without --within', async () => {
    const stray = await sluice(['--map', 'x', '--within', '1m']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--within must follow --dedupe');
    const bare = await sluice(['--dedupe', 'x']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--dedupe: dedupe needs its option 'within'");
  });
});

describe('--session', () => {
  const chain = ['--parse', 'split', '--map', '[x[0], Number(x[1])]', '--session', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--count'];

  it("counts each key's sessions, a session ending after GAP without records", async () => {
    const r = await sluice(chain, ['a 100', 'b 101', 'a 105', 'a 120', 'a 125', 'b 140'].join('\n'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // in the order they end
    expect(r.stdout).toBe('b\t1\na\t2\na\t2\nb\t1\n');
  });

  it('carries open sessions to the next run with --checkpoint instead of ending them', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    const args = ['-i', input, '--checkpoint', join(dir, 'cp'), ...chain];
    writeFileSync(input, 'a 100\nb 101\n');
    expect(await sluice(args)).toMatchObject({ code: 0, stdout: '' });
    appendFileSync(input, 'a 109\nb 130\n');
    // a's session (100, 109) ends at 119, b's first at 111: both behind 130; b's second is open
    expect(await sluice(args)).toMatchObject({ code: 0, stdout: 'b\t1\na\t2\n' });
  });

  it('refuses a session with an aggregate that has a window of its own', async () => {
    const r = await sluice(['--session', '10s', '--count-by-window', '10s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('count-by-window has a window of its own');
  });
});

describe('sketch aggregates', () => {
  const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => `${line(i)}\n`).join('');

  it('--approx-distinct, --quantiles and --top-k per batch, per key and per window', async () => {
    const input = lines(3000, (i) => `${i % 2 ? 'b' : 'a'} ${i % 1000} ${i % 7}`);
    const distinct = await sluice(['--parse', 'split', '--approx-distinct', 'x[1]', '--by', 'x[0]'], input);
    expect(distinct).toMatchObject({ code: 0, stderr: '' });
    const perKey = distinct.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(perKey.map(([k]) => k).sort()).toEqual(['a', 'b']);
    // 500 each, within 2.58 standard errors (0.81%)
    for (const [, n] of perKey) expect(Math.abs(Number(n) - 500)).toBeLessThanOrEqual(500 * 0.021);
    const q = await sluice(['--parse', 'split', '--quantiles', 'Number(x[1])', '--q', '0.5,0.99', '--format', 'json'], input);
    const [{ '0.5': median, '0.99': p99 }] = q.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(Math.abs(median - 499) / 499).toBeLessThanOrEqual(0.01);
    expect(Math.abs(p99 - 989) / 989).toBeLessThanOrEqual(0.01);
    const top = await sluice(['--parse', 'split', '--top-k', '2', '--of', 'x[2]'], input);
    expect(top.stdout).toBe('0\t429\n1\t429\n');
    const windowed = await sluice(['--parse', 'split', '--window', '1m', '--event-time', 'x[1]', '--event-time-unit', 's', '--approx-distinct', 'x[2]'], input);
    // 1000 seconds of times in tumbling minutes: 17 windows, every one of them holding all 7 residues
    expect(windowed.stdout).toBe('7\n'.repeat(17));
  });

  it('carries a window of sketches to the next run with --checkpoint', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    const args = ['-i', input, '--checkpoint', join(dir, 'cp'), '--parse', 'split', '--window', '1m', '--event-time', 'x[1]', '--event-time-unit', 's'];
    const distinct = [...args, '--approx-distinct', 'x[0]'];
    const quantiles = [...args.map((a) => a.replace('cp', 'cq')), '--quantiles', 'Number(x[0])', '--q', '1', '--format', 'json'];
    writeFileSync(input, lines(30, (i) => `${i} ${i}`));
    expect(await sluice(distinct)).toMatchObject({ code: 0, stdout: '' });
    expect(await sluice(quantiles)).toMatchObject({ code: 0, stdout: '' });
    appendFileSync(input, lines(40, (i) => `${i + 30} ${i + 30}`));
    // the minute [0, 60) holds 30 values of each run; [60, 120) stays open for the next run
    expect(await sluice(distinct)).toMatchObject({ code: 0, stdout: '60\n' });
    const max = (await sluice(quantiles)).stdout.trimEnd().split('\n').map((l) => JSON.parse(l)['1']);
    expect(Math.abs(max[0] - 59) / 59).toBeLessThanOrEqual(0.01);
  });

  it('refuses a bad --q and --of without --top-k', async () => {
    const bad = await sluice(['--quantiles', 'x', '--q', '0.5,2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--quantiles: q: '2' is not a quantile");
    const stray = await sluice(['--count', '--of', 'x']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--of must follow --top-k');
  });
});

describe('graph operators', () => {
  it("--pagerank ranks the karate club's leaders first, and --damping and --tolerance are checked", async () => {
    const r = await sluice(['-i', 'pipelines/data/karate-club.txt', '--parse', 'split', '--map', '[Number(x[0]), Number(x[1])]', '--pagerank', '--format', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const ranks = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as [number, number]).sort((a, b) => b[1] - a[1]);
    expect(ranks.slice(0, 3).map(([m, rank]) => [m, Math.round(rank * 1e4) / 1e4])).toEqual([[33, 0.1009], [0, 0.097], [32, 0.0717]]);
    const bad = await sluice(['--pagerank', '--damping', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--pagerank: damping: needs a number >= 0 and <= 1, not '1.5'");
  });

  it('--degrees and --connected-components per batch of edges', async () => {
    const edges = 'a b\nb c\nd e\n';
    expect((await sluice(['--parse', 'split', '--degrees'], edges)).stdout).toBe('a\t1\nb\t2\nc\t1\nd\t1\ne\t1\n');
    expect((await sluice(['--parse', 'split', '--connected-components'], edges)).stdout).toBe('a\ta\nb\ta\nc\ta\nd\td\ne\td\n');
  });
});
