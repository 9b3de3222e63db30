// Windows, state, event time and table joins end to end: the real bin/sluice on real pipes and
// files, compared with the outputs Spark's own test suites document for the same inputs.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

/** A running sluice whose stdout the test watches as it grows. */
function live(args: string[]) {
  const run = start(args);
  let stdout = '';
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d));
  return { ...run, stdout: () => stdout, write: (text: string) => run.child.stdin!.write(text) };
}

/** --print output as batches: the time of each and its lines, sorted (aggregates have no order). */
function printed(text: string): { time: number; lines: string[] }[] {
  return text
    .split('-------------------------------------------\nTime: ')
    .slice(1)
    .map((block) => {
      const [header, ...rest] = block.split('\n');
      return { time: Number(header!.replace(' ms', '')), lines: rest.filter((l) => l && !l.startsWith('---')).sort() };
    });
}

describe('state end to end', () => {
  it("Spark's StatefulNetworkWordCount is one line; the state carries across batches", async () => {
    const run = live(['-b', '200ms', '--flat-map', 'x.split(" ")', '--map', '[x, 1]', '--update-state', '(values, state) => values.reduce((a, b) => a + b, state ?? 0)', '--print']);
    run.write('hello world\n');
    await eventually(() => run.stdout().includes('(hello,1)'), 'the first batch');
    run.write('hello there\n');
    await eventually(() => run.stdout().includes('(hello,2)'), 'the second batch');
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(0);
    const batches = printed(r.stdout);
    expect(batches.at(-1)!.lines).toEqual(['(hello,2)', '(there,1)', '(world,1)']);
    // every batch after the first word shows the whole state, with or without new input
    expect(batches.filter((b) => b.lines.length).every((b) => b.lines.includes('(world,1)'))).toBe(true);
  });
});

describe('processing-time windows end to end', () => {
  it('a record stays in a 600ms window sliding every 200ms for exactly three batches', async () => {
    const run = live(['-b', '200ms', '--count-by-window', '600ms']);
    await eventually(() => run.stdout().includes('0\n'), 'a first empty window');
    run.write('x\n');
    await eventually(() => /1\n1\n1\n0\n/.test(run.stdout()), 'the record to enter and leave the window');
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).filter((n) => n !== '0')).toEqual(['1', '1', '1']);
  });

  it('a finite input closes its window at once, in one batch', async () => {
    const r = await sluice(['-b', '10s', '--map', '[x, 1]', '--reduce-by-key-and-window', 'a + b', '--over', '1m/20s', '--inverse', 'a - b'], 'a\nb\na\n');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['a\t2', 'b\t1']);
  });

  it('refuses windows that cannot work, saying why and what would', async () => {
    const inverse = await sluice(['--map', '[x, 1]', '--reduce-by-key', 'a + b', '--inverse', 'a - b']);
    expect(inverse.code).toBe(2);
    expect(inverse.stderr).toMatch(/--reduce-by-key: inverse only applies over a window: put a window before it/);
    const slide = await sluice(['-b', '2s', '--count-by-window', '10s/3s']);
    expect(slide.code).toBe(2);
    expect(slide.stderr).toMatch(/--count-by-window: slide 3s is not a multiple of the batch interval 2s; use 2s or 4s/);
    const stray = await sluice(['--state-timeout', '1m']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--state-timeout must follow --map-with-state/);
  });
});

describe('event-time windows end to end', () => {
  // Spark's WindowOperationsSuite "big test": batch i of 1s holds these words; here each record
  // carries a time inside its batch, and the windows come out at the same times with the same counts
  const bigInput = [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], [], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []];
  const bigReduceOutput = [
    ['(a,1)'],
    ['(a,2)', '(b,1)'],
    ['(a,2)', '(b,2)', '(c,1)'],
    ['(a,2)', '(b,2)', '(c,1)'],
    ['(a,2)', '(b,1)'],
    ['(a,1)'],
    ['(a,1)'],
    ['(a,2)', '(b,1)'],
    ['(a,2)', '(b,2)', '(c,1)'],
    ['(a,2)', '(b,2)', '(c,1)'],
    ['(a,2)', '(b,1)'],
    ['(a,1)'],
  ];
  const ndjson = bigInput.flatMap((words, i) => words.map((w) => `${JSON.stringify({ t: (i + 1) * 1000 - 500, w })}\n`)).join('');

  for (const [name, args] of [
    ['window + reduce-by-key --inverse', ['--window', '2s/1s', '--event-time', 'x.t', '--map', '[x.w, 1]', '--reduce-by-key', 'a + b', '--inverse', 'a - b']],
    ['window + count-by-value', ['--window', '2s/1s', '--event-time', 'x.t', '--map', 'x.w', '--count-by-value']],
  ] as const) {
    it(`Spark's reduceByKeyAndWindow big test, with --print showing each window's end: ${name}`, async () => {
      const r = await sluice(['--parse', 'json', ...args, '--print'], ndjson);
      expect(r.code).toBe(0);
      expect(printed(r.stdout)).toEqual(bigReduceOutput.map((lines, i) => ({ time: (i + 1) * 1000, lines })));
    });
  }

  it('replaying a log from a file gives the same per-minute counts as watching it live', async () => {
    const dir = tempDir();
    const log = join(dir, 'access.log');
    const stamp = (s: number) => {
      const d = new Date(Date.UTC(2026, 10, 25, 10, 0, s));
      return `${String(d.getUTCDate()).padStart(2, '0')}/Nov/2026:${d.toISOString().slice(11, 19)} +0000`;
    };
    // five minutes of requests, a few seconds out of order as they arrive from several servers
    const lines = Array.from({ length: 300 }, (_, i) => {
      const s = i + ((i * 7) % 5) - 2;
      return `10.0.0.${i % 7} - - [${stamp(Math.max(0, s))}] "GET /p${i % 3} HTTP/1.1" ${i % 11 ? 200 : 500} 512\n`;
    });
    writeFileSync(log, lines.join(''));
    const args = ['--parse', 'clf', '--window', '1m', '--event-time', 'x.time', '--watermark', '10s', '--map', '[x.status, 1]', '--reduce-by-key', 'a + b', '--with-time'];
    const replay = await sluice(['-i', log, ...args]);
    expect(replay.code).toBe(0);

    const run = live(['-b', '100ms', ...args]);
    for (let i = 0; i < lines.length; i += 60) {
      run.write(lines.slice(i, i + 60).join(''));
      const minutes = Math.floor(i / 60);
      await eventually(() => run.stdout().split('\n').filter(Boolean).length >= minutes * 2, `the windows before minute ${minutes + 1}`);
    }
    run.child.stdin!.end();
    const watched = await run.done;
    expect(watched.code).toBe(0);
    const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();
    expect(sortedLines(watched.stdout)).toEqual(sortedLines(replay.stdout));
    // 10:00:00 to 10:05:00: six windows, each labelled with its end
    expect(new Set(sortedLines(replay.stdout).map((l) => l.split('\t')[0]))).toEqual(
      new Set([1, 2, 3, 4, 5, 6].map((m) => String(Date.UTC(2026, 10, 25, 10, m)))),
    );
    expect(sortedLines(replay.stdout).reduce((n, l) => n + Number(l.split('\t')[2]), 0)).toBe(300);
  });

  it('late records are dropped and counted, or written to the dead-letter file', async () => {
    const dir = tempDir();
    const dlq = join(dir, 'late.ndjson');
    for (const onError of ['skip', `dlq:${dlq}`]) {
      const run = live(['-b', '100ms', '--on-error', onError, '--parse', 'json', '--count-by-window', '10s', '--event-time', 'x.t', '--with-time']);
      run.write('{"t": 1000}\n{"t": 25000}\n'); // the watermark passes 20s: windows to 10s and 20s close
      await eventually(() => run.stdout().includes('10000\t1\n'), 'the first window');
      run.write('{"t": 5000}\n{"t": 12000}\n{"t": 26000}\n'); // 5s and 12s are too late
      run.child.stdin!.end();
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('10000\t1\n30000\t2\n');
      if (onError === 'skip') expect(r.stderr).toMatch(/sluice: 2 late records dropped/);
      else {
        expect(r.stderr).toMatch(/sluice: 2 late records written to .*late\.ndjson/);
        const letters = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        expect(letters.map((l) => l.record)).toEqual([{ t: 5000 }, { t: 12000 }]);
        expect(letters[0].where).toBe('--count-by-window');
        expect(letters[0].reason).toMatch(/event time 1970-01-01T00:00:05.000Z is behind the watermark/);
      }
    }
  });

  it('with --checkpoint, open windows and state carry over to the next run instead of closing at the end of the input', async () => {
    const dir = tempDir();
    const args = ['--checkpoint', join(dir, 'ck'), '--parse', 'json', '--count-by-window', '10s', '--event-time', 'x.t', '--with-time'];
    const first = await sluice(args, '{"t": 1000}\n{"t": 15000}\n');
    expect(first.stdout).toBe('10000\t1\n'); // 10s to 20s is still open
    const second = await sluice(args, '{"t": 16000}\n{"t": 31000}\n');
    expect(second.stdout).toBe('20000\t2\n');
    const state = ['--checkpoint', join(dir, 'state'), '--map', '[x, 1]', '--update-state', '(values, state) => values.length + (state ?? 0)'];
    await sluice(state, 'a\na\nb\n');
    expect((await sluice(state, 'a\n')).stdout).toBe('a\t3\nb\t1\n');
  });

  it('a record whose time cannot be read is a bad record with its line', async () => {
    const r = await sluice(['--parse', 'json', '--count-by-window', '10s', '--event-time', 'x.t'], '{"t": 1000}\n{"t": "noon"}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stdin:2: --count-by-window: event-time: TypeError: event time "noon" is not a time/);
  });
});

describe('table joins end to end', () => {
  it('joins a stream with a CSV table, left outer keeping the unmatched', async () => {
    const dir = tempDir();
    const users = join(dir, 'users.csv');
    writeFileSync(users, 'id,name,country\nu1,Ann,NZ\nu2,Bo,SE\n');
    const input = '{"user": "u1", "page": "/a"}\n{"user": "u3", "page": "/b"}\n{"user": "u2", "page": "/c"}\n';
    const args = ['--parse', 'json', '--map', '[x.user, x.page]', '--format', 'json'];
    const inner = await sluice([...args, '--join-with', users], input);
    expect(inner.code).toBe(0);
    expect(inner.stdout).toBe('["u1",["/a",{"id":"u1","name":"Ann","country":"NZ"}]]\n["u2",["/c",{"id":"u2","name":"Bo","country":"SE"}]]\n');
    const outer = await sluice([...args, '--left-outer-join-with', users, '--map', '[k, v[1]?.country ?? "?"]', '--format', 'text'], input);
    expect(outer.stdout).toBe('u1\tNZ\nu3\t?\nu2\tSE\n');
  });

  it('a missing or broken table stops the run before any input is read', async () => {
    const dir = tempDir();
    const missing = await sluice(['--join-with', join(dir, 'nope.csv')], 'x\n');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv: no such file or directory/);
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, '["a", 1]\n["b", 2\n');
    const r = await sluice(['--join-with', broken], 'x\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.ndjson:2:\d+: invalid JSON/);
    expect(r.stdout).toBe('');
  });
});
