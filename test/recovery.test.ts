// Crash recovery: kill -9 at random moments while a file is read into per-batch files; each
// restart resumes from the checkpoint, and every input line ends up in the output exactly once.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { random } from './support/random.ts';

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
    const files = readdirSync(cp).filter((f) => f.startsWith('checkpoint-')).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
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
