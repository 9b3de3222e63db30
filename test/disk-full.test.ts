// A full disk (a real 2 MiB tmpfs) at the worst moment for each file sink and for checkpoints:
// nothing is committed short, the run fails saying "disk full" and naming the file, and once space
// is freed a restart redoes the failed batch exactly, so every line ends up written exactly once.

import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, tempDir, type Result } from './support/cli.ts';

const LINES = 30_000;
const pad = '.'.repeat(100);
const input = Array.from({ length: LINES }, (_, i) => `line-${i + 1}${pad}\n`).join('');
const WELL_FORMED = /^(line-\d+\.{100}\n)*$/;

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});

/** A fresh tmpfs of `size` (2m: a disk far smaller than the input). */
function tmpfs(size: string): string {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

/** The per-batch files in `dir` by name, in batch order (temporary ones start with a dot). */
function batchFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
}

/** Move the batch files of `from` (on the tmpfs) to `to`, freeing the space they took. */
function moveAll(from: string, to: string): void {
  for (const f of batchFiles(from)) {
    copyFileSync(join(from, f), join(to, f));
    rmSync(join(from, f));
  }
}

/** Run until it succeeds; after each failure check it and free space with `free`. Returns the runs that failed. */
async function runFreeing(args: string[], check: (r: Result) => void, free: () => void): Promise<Result[]> {
  const failed: Result[] = [];
  for (;;) {
    const r = await sluice(args);
    if (r.code === 0) {
      expect(r.stderr).toBe('');
      return failed;
    }
    check(r);
    failed.push(r);
    expect(failed.length).toBeLessThan(20);
    free();
  }
}

describe.skipIf(process.getuid?.() !== 0)('a full disk', () => {
  it('per-batch files: none is committed short; the failed batch is redone, same name, same lines', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), input);
    const disk = join(tmpfs('2m'), 'out');
    const kept = join(dir, 'kept');
    mkdirSync(kept);
    const args = ['-b', '50ms', '-i', join(dir, 'in.txt'), '--max-rate', '20000', '--checkpoint', join(dir, 'cp'), '-o', join(disk, 'part.txt')];
    let lastFailed = '';
    const failed = await runFreeing(
      args,
      (r) => {
        expect(r.code).toBe(1);
        lastFailed = new RegExp(`disk full: cannot write ${disk}/(part-\\d+\\.txt)`).exec(r.stderr)?.[1] ?? '';
        expect(lastFailed, r.stderr).not.toBe('');
        const left = readdirSync(disk);
        expect(left).not.toContain(lastFailed);
        expect(left.filter((f) => f.startsWith('.'))).toEqual([]); // its temporary file is gone too
        for (const f of batchFiles(disk)) expect(WELL_FORMED.test(readFileSync(join(disk, f), 'utf8')), f).toBe(true);
      },
      () => moveAll(disk, kept),
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(batchFiles(disk)).toContain(lastFailed); // redone under its own name
    moveAll(disk, kept);
    expect(batchFiles(kept).map((f) => readFileSync(join(kept, f), 'utf8')).join('')).toBe(input);
  });

  it('append: the file holds whole batches only; a restart appends the failed batch exactly', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), input);
    const out = join(tmpfs('2m'), 'all.txt');
    const kept = join(dir, 'kept.txt');
    writeFileSync(kept, '');
    const args = ['-b', '50ms', '-i', join(dir, 'in.txt'), '--max-rate', '20000', '--checkpoint', join(dir, 'cp'), '-o', `append:${out}`];
    const failed = await runFreeing(
      args,
      (r) => {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`disk full: cannot write ${out}`);
        const text = readFileSync(out, 'utf8');
        expect(WELL_FORMED.test(text)).toBe(true);
        expect(input.startsWith(readFileSync(kept, 'utf8') + text)).toBe(true); // in order, nothing lost so far
      },
      () => {
        appendFileSync(kept, readFileSync(out));
        truncateSync(out, 0);
      },
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(kept, 'utf8') + readFileSync(out, 'utf8')).toBe(input);
  });

  it('checkpoints: the ones kept stay intact; after the disk grows a restart goes on exactly', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), input);
    const disk = tmpfs('2m');
    const cp = join(disk, 'cp');
    const out = join(dir, 'out');
    // every line a key with state: checkpoints grow by some 100 KiB a batch until four do not fit
    const args = ['-b', '50ms', '-i', join(dir, 'in.txt'), '--max-rate', '20000', '--checkpoint', cp, '--key-by', 'x', '--map-with-state', '(state.update(1), k)', '-o', join(out, 'part.txt')];
    const r = await sluice(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`disk full: cannot write ${cp}/checkpoint-\\d+\\.json`));
    expect(readdirSync(cp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    execFileSync('mount', ['-o', 'remount,size=64m', disk]);
    const again = await sluice(args);
    expect(again.stderr).toBe(''); // no checkpoint was damaged
    expect(again.code).toBe(0);
    expect(batchFiles(out).map((f) => readFileSync(join(out, f), 'utf8')).join('')).toBe(input);
  });
});
