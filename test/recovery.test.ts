// Crash recovery: kill -9 at random moments while a file is read into per-batch files; each
// restart resumes from the checkpoint, and every input line ends up in the output exactly once.

import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';
import { random } from './support/random.ts';

/** The checkpoint files in `cp`, oldest first. */
const checkpointFiles = (cp: string) => readdirSync(cp).filter((f) => f.startsWith('checkpoint-')).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));

const SEED = 20261125;
const LINES = 200_000;
const KILLS = 20;

describe('recovery from a checkpoint', () => {
  it(`loses and repeats nothing across ${KILLS} kill -9 at random points (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    // long lines at --max-rate: the input takes many batches, so every kill comes in the middle of it
    const pad = '.'.repeat(100);
    writeFileSync(input, Array.from({ length: LINES }, (_, i) => `line-${i + 1}${pad}\n`).join(''));
    const args = ['-b', '50ms', '-i', input, '--max-rate', '20000', '--checkpoint', join(dir, 'cp'), '-o', join(dir, 'out', 'part.txt')];
    const next = random(SEED);
    let killed = 0;
    for (let run = 0; run < KILLS; run++) {
      const { child, done } = start(args);
      child.stdin!.end();
      await new Promise((r) => setTimeout(r, 150 + next() * 400));
      if (child.kill('SIGKILL')) killed++;
      await done;
    }
    const last = await sluice(args);
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    expect(killed).toBe(KILLS); // every run was still working when killed

    const parts = readdirSync(join(dir, 'out')).filter((f) => !f.startsWith('.'));
    const lines = parts.flatMap((f) => readFileSync(join(dir, 'out', f), 'utf8').split('\n').filter(Boolean));
    const seen = new Map<string, number>();
    for (const line of lines) seen.set(line, (seen.get(line) ?? 0) + 1);
    const repeated = [...seen].filter(([, n]) => n > 1);
    expect(repeated.slice(0, 5)).toEqual([]);
    expect(seen.size).toBe(LINES);
  });

  it('re-runs a batch killed after its sinks, before its checkpoint, with the same time and input', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, Array.from({ length: 30_000 }, (_, i) => `line-${i + 1}${'.'.repeat(100)}\n`).join(''));
    const out = join(dir, 'out');
    const args = ['-b', '50ms', '-i', input, '--max-rate', '20000', '--checkpoint', join(dir, 'cp'), '-o', join(out, 'part.txt')];
    const crashed = await sluice(args, '', { env: { SLUICE_FAULT: 'crash-after-sinks:3' } });
    expect(crashed.signal).toBe('SIGKILL');
    const before = new Map(readdirSync(out).filter((f) => !f.startsWith('.')).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expect([...before.values()].filter(Boolean).length).toBe(3); // empty batches before them do not count
    expect(before.get([...before.keys()].sort().at(-1)!)).not.toBe(''); // the crash came after a batch of lines
    expect((await sluice(args)).code).toBe(0);
    // the third batch was written again under the same name with the same lines
    for (const [f, text] of before) expect(readFileSync(join(out, f), 'utf8')).toBe(text);
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.length).toBe(30_000);
    expect(new Set(lines).size).toBe(30_000);
  });

  it('refuses the checkpoint of a different pipeline, saying what changed', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\n');
    const cp = join(dir, 'cp');
    expect((await sluice(['-i', input, '--checkpoint', cp, '--map', 'x + 1'])).code).toBe(0);
    const r = await sluice(['-i', input, '--checkpoint', cp, '--map', 'x + 2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`checkpoint ${cp} was written by a different pipeline:`);
    expect(r.stderr).toContain('was: stream main from in1: map "x + 1"');
    expect(r.stderr).toContain('now: stream main from in1: map "x + 2"');
  });

  it('falls back to an older checkpoint when the newest is damaged, and says so', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\n');
    const cp = join(dir, 'cp');
    const args = ['-b', '1h', '-i', input, '--checkpoint', cp, '--count'];
    expect((await sluice(args)).stdout).toBe('2\n');
    const files = checkpointFiles(cp);
    writeFileSync(join(cp, files.at(-1)!), '{"format":1,"pipel'); // torn write
    const r = await sluice(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/is damaged \(.*\); using an older checkpoint/);
    // the older checkpoint is the pending record of the same batch: it is re-run exactly, then
    // the input, already at its end, gives one empty batch
    expect(r.stdout).toBe('2\n0\n');
    // new checkpoints come after the damaged one, so the next run starts from them, quietly
    writeFileSync(join(cp, 'checkpoint-999.json.tmp'), '{"format":1'); // a write cut short by a crash
    const again = await sluice(args);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('0\n');
    expect(readdirSync(cp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a tampered checkpoint', () => {
  const LINES = 1000;
  /** A file read whole into the checkpoint `cp` (as `uri` makes it a source); the args and the newest checkpoint file. */
  async function checkpointed(uri = (path: string) => path): Promise<{ args: string[]; newest: string }> {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, Array.from({ length: LINES }, (_, i) => `line-${i}\n`).join(''));
    const cp = join(dir, 'cp');
    const args = ['-b', '1h', '-i', uri(input), '--checkpoint', cp, '--count'];
    expect((await sluice([...args, '--once'])).stdout).toBe(`${LINES}\n`);
    const files = checkpointFiles(cp);
    return { args, newest: join(cp, files.at(-1)!) };
  }

  const cases: [string, (text: string) => string][] = [
    ['20 garbage bytes', () => '\x07\xff not json \x00 at all'],
    ['a bare {"format":1,"pipeline":[]}', () => '{"format":1,"pipeline":[]}'],
    ['positions: null', (text) => JSON.stringify({ ...JSON.parse(text.slice(text.lastIndexOf('\n{') + 1)), format: 1, positions: null })],
    ['an offset moved into a line', (text) => text.replace(/"offset":(\d+)/, (_, n) => `"offset":${Number(n) - 4}`)],
    ['an offset moved back 100 lines', (text) => text.replace(/"offset":(\d+)/, (_, n) => `"offset":${Number(n) - 600}`)],
  ];
  it.each(cases)('with %s falls back to the intact older file: no line lost or repeated, no stack trace', async (_, damage) => {
    const { args, newest } = await checkpointed();
    writeFileSync(newest, damage(readFileSync(newest, 'utf8')));
    const r = await sluice(args);
    expect(r.stderr).toMatch(/^sluice: checkpoint .* is damaged \(.+\); using an older checkpoint\n$/);
    expect(r.code).toBe(0);
    // the older file is the pending record of the same batch: re-run exactly, then an empty batch
    expect(r.stdout).toBe(`${LINES}\n0\n`);
  });

  it('says that it falls back as the run starts, not at its end', { timeout: 30_000 }, async () => {
    const { args, newest } = await checkpointed((path) => `tail:${path}?from=start`);
    writeFileSync(newest, 'garbage');
    const { child, done } = start(args); // following the file: it runs until stopped
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    try {
      await eventually(() => stderr.includes('is damaged'), 'the warning');
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  });

  it('whose position is not one of its source is refused plainly', async () => {
    const { args, newest } = await checkpointed();
    const body = JSON.stringify({ ...JSON.parse(readFileSync(newest, 'utf8').split('\n')[1]!), positions: { in1: { files: 5 } } });
    writeFileSync(newest, `${JSON.stringify({ format: 2, sha256: createHash('sha256').update(body).digest('hex') })}\n${body}`);
    const r = await sluice(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sluice: error: checkpoint \S+: \S+in\.txt: the checkpoint's position is not one of a file source\n$/);
  });
});

describe('files changed between runs', () => {
  /** Run over `uri` in `dir` with a checkpoint; stdout's lines and stderr. */
  const run = async (dir: string, uri: string) => {
    const r = await sluice(['-b', '1h', '-i', uri, '--checkpoint', join(dir, 'cp')]);
    expect(r.code).toBe(0);
    return { lines: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
  };

  it('reads on after lines appended, and nothing twice', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\n');
    expect((await run(dir, input)).lines).toEqual(['a', 'b']);
    appendFileSync(input, 'c\n');
    expect(await run(dir, input)).toEqual({ lines: ['c'], stderr: '' });
  });

  const short = 'line 0\nline 1\nline 2\n';
  const long = `${'x'.repeat(300)}\n${'z'.repeat(20)}\n`; // longer than the fingerprint's 256 bytes
  it.each([
    ['replaced by another file (a new inode)', short, (path: string) => {
      renameSync(path, `${path}.old`);
      writeFileSync(path, 'one\ntwo\nthree\nfour\nfive\n');
    }, 'it was replaced', ['one', 'two', 'three', 'four', 'five']],
    ['rewritten shorter in place', short, (path: string) => writeFileSync(path, 'a\nb\n'), 'it was rewritten', ['a', 'b']],
    ['cut short, its first bytes kept', long, (path: string) => truncateSync(path, 301), 'it is shorter (301 bytes, read up to 322)', ['x'.repeat(300)]],
    ['rewritten in place, the same first bytes, a line ending elsewhere', long, (path: string) => writeFileSync(path, `${'x'.repeat(300)}\n${'y'.repeat(50)}\n`), "byte 322 is not at a line's end", ['x'.repeat(300), 'y'.repeat(50)]],
  ])('reads a file %s as new, with a note', async (_, first, change, why, after) => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, first);
    expect((await run(dir, input)).lines.length).toBe(first.split('\n').length - 1);
    change(input);
    const r = await run(dir, input);
    expect(r.stderr).toBe(`sluice: ${input} changed since the checkpoint (${why}); reading it as a new file\n`);
    expect(r.lines).toEqual(after);
  });

  it('reads a new file of a glob that sorts before the last one read', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.log'), 'b1\n');
    writeFileSync(join(dir, 'c.log'), 'c1\n');
    expect((await run(dir, join(dir, '*.log'))).lines).toEqual(['b1', 'c1']);
    writeFileSync(join(dir, 'a.log'), 'a1\n');
    appendFileSync(join(dir, 'b.log'), 'b2\n');
    expect(await run(dir, join(dir, '*.log'))).toEqual({ lines: ['a1', 'b2'], stderr: '' });
  });

  it('goes on from a checkpoint of format 1 (a file and an offset, no identity)', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\nc\n');
    const cp = join(dir, 'cp');
    mkdirSync(cp);
    const pipeline = ['batch 3600000 ms', `source in1: ${input}`, 'stream main from in1: (no operators)'];
    writeFileSync(join(cp, 'checkpoint-7.json'), JSON.stringify({ format: 1, pipeline, time: 1000, positions: { in1: { file: input, offset: 2 } }, state: {} }));
    expect(await run(dir, input)).toEqual({ lines: ['b', 'c'], stderr: '' });
  });
});
