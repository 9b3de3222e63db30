// --once and --schedule end to end: cron-style runs over files that grow, rotate and arrive
// between runs; with --checkpoint the runs together output every line exactly once.

import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('--once', () => {
  it('run again and again over a growing, rotating log, outputs each line exactly once', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const args = ['--once', '--checkpoint', join(dir, 'state'), '-i', `tail:${log}?from=start`];
    let input = '';
    const outputs: string[] = [];
    const run = async () => {
      const r = await sluice(args);
      expect(r.stderr.replace(/.*was truncated.*\n/, '')).toBe('');
      expect(r.code).toBe(0);
      outputs.push(r.stdout);
    };
    const append = (text: string) => {
      appendFileSync(log, text);
      input += text;
    };

    append(numbered('first', 0, 1000));
    await run();
    append(numbered('second', 0, 1000));
    appendFileSync(log, 'half a li'); // a line being written: left for the next run
    await run();
    appendFileSync(log, 'ne\n');
    input += 'half a line\n';
    renameSync(log, `${log}.1`); // rotated by rename between runs
    append(numbered('third', 0, 1000));
    await run();
    append(numbered('fourth', 0, 1000));
    copyFileSync(log, `${log}.2`); // copytruncate between runs: what was read stays read
    truncateSync(log, 0);
    append(numbered('fifth', 0, 1000));
    await run();
    await run(); // nothing new
    expect(outputs.at(-1)).toBe('');
    expect(lines(outputs.join('')).sort()).toEqual(lines(input).sort());
    // in order within the file, too
    expect(lines(outputs[0]!)).toEqual(lines(numbered('first', 0, 1000)));
  });

  it.each([
    ['rename', (log: string, n: number) => renameSync(log, `${log}.${n}`)],
    ['copytruncate', (log: string, n: number) => {
      copyFileSync(log, `${log}.${n}`);
      truncateSync(log, 0);
    }],
  ])('tail:NAME (no glob) loses nothing of two rotations (%s) between runs, nor reads old archives', async (_, rotate) => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(`${log}.3`, numbered('archived', 0, 100)); // rotated before the first run: not to be read
    writeFileSync(log, numbered('first', 0, 100));
    const args = ['--once', '--checkpoint', join(dir, 'state'), '-i', `tail:${log}?from=start`];
    const first = await sluice(args);
    expect(lines(first.stdout)).toEqual(lines(numbered('first', 0, 100)));
    appendFileSync(log, numbered('unread', 0, 100));
    // two rotations, ending as logrotate leaves them: the older archive .2, the newer .1
    rotate(log, 2);
    appendFileSync(log, numbered('between', 0, 100));
    rotate(log, 1);
    appendFileSync(log, numbered('now', 0, 100));
    const r = await sluice(args);
    expect(r.stderr.replace(/.*was truncated.*\n/, '')).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout).sort()).toEqual(lines(numbered('unread', 0, 100) + numbered('between', 0, 100) + numbered('now', 0, 100)).sort());
  });

  it('reads each file moved into a directory in exactly one of the runs', async () => {
    const dir = tempDir();
    const inbox = join(dir, 'inbox');
    mkdirSync(inbox);
    const args = ['--once', '--checkpoint', join(dir, 'state'), '-i', `dir:${inbox}?from=start`];
    let input = '';
    let output = '';
    for (let run = 0; run < 4; run++) {
      for (let f = 0; f < 3; f++) {
        const text = numbered(`run${run}-file${f}`, 0, 500);
        writeFileSync(join(inbox, `.incoming`), text);
        renameSync(join(inbox, `.incoming`), join(inbox, `run${run}-file${f}.txt`));
        input += text;
      }
      const r = await sluice(args);
      expect(r.code).toBe(0);
      output += r.stdout;
    }
    expect(lines(output).sort()).toEqual(lines(input).sort());
  });

  it('is refused for live streams, which have no end to read up to', async () => {
    const r = await sluice(['--once', '-i', 'tcp://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'sluice: error: --once: tcp://127.0.0.1:9 is a live stream with no end to read up to; --once works with files, tail:, dir:, kafka:// and kinesis://\n',
    );
  });
});

describe('--schedule', () => {
  it('makes a --once pass at every tick until a signal, each line output once', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const out = join(dir, 'out.txt');
    writeFileSync(log, numbered('tick0', 0, 200));
    const { child, done } = start(['--schedule', '* * * * * *', '--checkpoint', join(dir, 'state'), '-i', `tail:${log}?from=start`, '-o', `append:${out}`]);
    let input = numbered('tick0', 0, 200);
    await eventually(() => linesOf(out).length === 200, 'the first pass');
    for (let tick = 1; tick <= 2; tick++) {
      const text = numbered(`tick${tick}`, 0, 200);
      appendFileSync(log, text);
      input += text;
      await eventually(() => linesOf(out).length === 200 * (tick + 1), `pass ${tick + 1}`);
    }
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(linesOf(out).sort()).toEqual(lines(input).sort());
  });

  it('checks the pattern and the sources before the first tick', async () => {
    const bad = await sluice(['--schedule', '*/5 * * *', '-i', 'tail:/tmp/x.log']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedule: bad cron pattern '\*\/5 \* \* \*'/);
    const stdin = await sluice(['--schedule', '*/5 * * * *']);
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/--schedule: stdin can be read only once/);
    const live = await sluice(['--schedule', '*/5 * * * *', '-i', 'tcp-listen://127.0.0.1:0']);
    expect(live.code).toBe(2);
    expect(live.stderr).toBe(
      'sluice: error: --schedule (a --once pass at each tick): tcp-listen://127.0.0.1:0 is a live stream with no end to read up to; --once works with files, tail:, dir:, kafka:// and kinesis://\n',
    );
  });
});
