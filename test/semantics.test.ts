// End to end through bin/sluice: the semantics users rely on (issue 13): Spark's window() on its
// own, the batch time in expressions, deterministic event time, --max-rate as a per-batch cap,
// --once/--schedule over existing files, and --repartition bounded by the cores.

import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { random } from './support/random.ts';

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
    const events = '{"t":1000}\n{"t":500}\n{"t":2500}\n';
    const e = await sluice(['--parse', 'json', '--window', '2s', '--event-time', 'x.t', '--map', 'x.t', '--with-time'], events);
    expect(e.stdout).toBe('2000\t1000\n2000\t500\n4000\t2500\n');
  });
});

describe('the batch time as t', () => {
  it("is Spark's batch time in --update-state, --transform and the per-record operators of --repartition", async () => {
    const update = ['--map', '[x, 1]', '--update-state', '(values, state) => values.length ? t + (state ?? 0) : state', '--with-time'];
    const r = await sluice(update, 'a\nb\n');
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(lines.map(([time, k, state]) => [k, state === time])).toEqual([['a', true], ['b', true]]);
    expect(Number(lines[0]![0]) % 1000).toBe(0); // a batch time: the end of a 1 s interval
    const p = await sluice(['--repartition', '2', '--map', 'x + "@" + t', '--transform', 'x.map((r) => r.endsWith("@" + t))'], 'a\nb\n');
    expect(p.stdout).toBe('true\ntrue\n');
  });

  it('runs through sluice test on virtual batch times, in windows as the time of their end', async () => {
    const r = await sluice(['test', 'test/spark/batch-time.yaml']);
    expect(r.stdout).toMatch(/1 cases: 1 passed/);
    expect(r.code).toBe(0);
  });
});

describe('event time is deterministic', () => {
  // a log replayed: times move forward with up to 3 s of jitter, so some records come in late
  const next = random(13);
  const log = Array.from({ length: 20_000 }, (_, i) => `{"t": ${1_800_000_000_000 + i * 5 + Math.floor(next() * 3000)}, "k": ${i % 7}}`).join('\n') + '\n';
  const args = ['--parse', 'json', '--window', '2s/1s', '--event-time', 'x.t', '--watermark', '500ms', '--map', '[x.k, 1]', '--reduce-by-key', 'a + b', '--on-error', 'skip', '--with-time'];

  it('gives the same windows and the same late records whatever the batch interval, read size or rate', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, log);
    const runs = await Promise.all([
      sluice(['-i', file, ...args]),
      sluice(['-i', file, '-b', '50ms', '--max-rate', '40000', ...args]),
      sluice(['-b', '20ms', '--max-rate', '60000', ...args], log),
    ]);
    const [first] = runs;
    expect(first!.stderr).toMatch(/sluice: \d+ late records dropped/);
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(first!.stderr);
      expect(r.stdout).toBe(first!.stdout);
    }
    expect(first!.stdout.split('\n').length).toBeGreaterThan(100);
  });
});

describe('--once and --schedule over files already there', () => {
  it('a first --once run reads tail: and dir: files from the start, unless ?from=end', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'a\nb\n');
    mkdirSync(join(dir, 'inbox'));
    writeFileSync(join(dir, 'inbox', 'x.txt'), 'c\n');
    // one batch a run: a run that straddles a 1 s boundary would give a count per batch
    const count = (uri: string, more: string[] = []) => sluice(['-b', '1h', '--once', ...more, '-i', uri, '--count']);
    expect((await count(`tail:${log}`)).stdout).toBe('2\n');
    expect((await count(`dir:${join(dir, 'inbox')}`)).stdout).toBe('1\n');
    expect((await count(`tail:${log}?from=end`)).stdout).toBe('0\n');
    expect((await count(`dir:${join(dir, 'inbox')}?from=end`)).stdout).toBe('0\n');
    // with a checkpoint, the runs after the first go on where it stopped
    const ck = ['--checkpoint', join(dir, 'ck')];
    expect((await count(`tail:${log}`, ck)).stdout).toBe('2\n');
    appendFileSync(log, 'c\n');
    expect((await count(`tail:${log}`, ck)).stdout).toBe('1\n');
  });

  it("the README's cron example counts the existing log on its first pass", async () => {
    const dir = tempDir();
    const log = join(dir, 'access.log');
    writeFileSync(log, '1\n2\n3\n');
    const out = join(dir, 'counts.tsv');
    const run = start(['--schedule', '* * * * * *', '--checkpoint', join(dir, 'ck'), '-i', `tail:${log}*`, '--count', '-o', `append:${out}`]);
    await eventually(() => linesOf(out).includes('3'), 'the first pass to count the three lines');
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });
});

describe('--repartition above the cores', () => {
  it('runs one worker thread per core, saying so', async () => {
    const cores = availableParallelism();
    const r = await sluice(['--repartition', '100', '--map', 'x.toUpperCase()'], 'a\nb\n');
    expect(r.stdout).toBe('A\nB\n');
    expect(r.stderr).toBe(`sluice: --repartition 100: this machine has ${cores} core${cores === 1 ? '' : 's'}; running ${cores} worker thread${cores === 1 ? '' : 's'}\n`);
    expect(r.code).toBe(0);
    const within = await sluice(['--repartition', String(cores), '--map', 'x'], 'a\n');
    expect(within.stderr).toBe('');
  });
});

describe('--max-rate N caps every batch at N × interval records', () => {
  /** Records in of each batch, from -v. */
  const batchSizes = (stderr: string) => [...stderr.matchAll(/: (\d+) in, /g)].map((m) => Number(m[1]));

  it('short lines from a pipe and 100-byte lines from a file: no batch over the cap, the first one included', async () => {
    const short = await sluice(['-v', '-b', '200ms', '--max-rate', '500', '--count'], Array.from({ length: 500 }, (_, i) => `${i}\n`).join(''));
    expect(batchSizes(short.stderr).filter(Boolean)).toEqual([100, 100, 100, 100, 100]);
    const dir = tempDir();
    const file = join(dir, 'long.txt');
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(6, '0')}${'.'.repeat(93)}\n`).join(''));
    const long = await sluice(['-v', '-b', '100ms', '-i', file, '--max-rate', '5000', '-o', join(dir, 'out', 'part.txt')]);
    expect(long.code).toBe(0);
    const sizes = batchSizes(long.stderr);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(Math.max(...sizes)).toBe(500);
    // what a batch did not take is read again by the next: every line once, in order
    const parts = readdirSync(join(dir, 'out')).sort();
    expect(parts.map((f) => readFileSync(join(dir, 'out', f), 'utf8')).join('')).toBe(readFileSync(file, 'utf8'));
  });

  it('counts what a source delivers while a batch closes behind a slow sink toward the next batch', { timeout: 30_000 }, async () => {
    // every POST answered after 700 ms: each batch closes slowly, and stdin is read meanwhile
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('ok'), 700));
    });
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    try {
      const run = start(['-v', '-b', '200ms', '--max-rate', '1000', '-o', `http://127.0.0.1:${port}/`]);
      let stderr = '';
      run.child.stderr!.on('data', (d: Buffer) => (stderr += d));
      run.child.stdin!.on('error', () => {});
      run.child.stdin!.write(Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join(''));
      await eventually(() => batchSizes(stderr).length >= 5, 'five batches');
      run.child.kill('SIGTERM');
      await run.done;
      const sizes = batchSizes(stderr);
      expect(sizes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      server.close();
    }
  });
});
