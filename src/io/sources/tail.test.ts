// tail: in-process: positions are exact whenever the source is paused, and a restart from a saved
// position reads every line once across renames, copytruncate and new files while it was down.

import { appendFileSync, copyFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/cli.ts';
import { intakeInto, pass } from '../../../test/support/source-pass.ts';
import { createSource } from './index.ts';
import type { Source } from './source.ts';

const numbered = (from: number, to: number, tag = 'line') =>
  Array.from({ length: to - from }, (_, i) => `${tag} ${from + i} ${'.'.repeat((from + i) % 50)}\n`).join('');

async function until(ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok(); waited += 5) {
    if (waited > 5000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const offsets = (source: Source) => (source.position!() as { files: { offset: number }[] }).files.reduce((n, f) => n + f.offset, 0);

describe('tail:', () => {
  it('reports, whenever paused, exactly the bytes of the lines handed on', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), numbered(0, 150_000));
    writeFileSync(join(dir, 'b.log'), numbered(0, 100_000, 'other'));
    const source = createSource(`tail:${dir}/*.log?from=start`);
    const lines: string[] = [];
    const done = source.run(intakeInto(lines));
    let checks = 0;
    while (lines.length < 250_000) {
      await new Promise((r) => setImmediate(r));
      source.pause();
      expect(offsets(source)).toBe(lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0));
      checks++;
      source.resume();
    }
    source.stop();
    await done;
    expect(checks).toBeGreaterThan(1);
    expect(lines.length).toBe(250_000);
  });

  it('reads a copytruncate whose copy it first sees part written once, whatever it had read of the original', async () => {
    // half of it, or its first 100 bytes: too few for a fingerprint to tell a copy from a new file
    for (const part of [(n: number) => n / 2, () => 100]) {
      const dir = tempDir();
      const log = join(dir, 'app.log');
      writeFileSync(log, numbered(0, 20_000));
      const source = createSource(`tail:${log}*?from=start&poll=10ms`);
      const lines: string[] = [];
      const done = source.run(intakeInto(lines));
      await until(() => lines.length === 20_000);
      // the copy as a scan may find it while it is still being written, then whole
      const text = readFileSync(log);
      writeFileSync(`${log}.1`, text.subarray(0, part(text.length)));
      await new Promise((r) => setTimeout(r, 50)); // several scans see it part written
      appendFileSync(`${log}.1`, text.subarray(part(text.length)));
      truncateSync(log, 0);
      appendFileSync(log, numbered(0, 100, 'after'));
      await until(() => lines.length >= 20_100);
      await new Promise((r) => setTimeout(r, 50)); // and nothing more comes
      source.stop();
      await done;
      expect(lines.length).toBe(20_100);
    }
  });

  it('skips what files hold at the first start with ?from=end, and reads it all with ?from=start, the default of a --once pass', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), 'old\npartial');
    expect((await pass(`tail:${dir}/a.log`)).lines).toEqual(['old']);
    const atEnd = await pass(`tail:${dir}/a.log?from=end`);
    expect(atEnd.lines).toEqual([]);
    appendFileSync(join(dir, 'a.log'), ' line\nnew\n');
    expect((await pass(`tail:${dir}/a.log`, atEnd.position)).lines).toEqual(['partial line', 'new']);
    expect((await pass(`tail:${dir}/a.log?from=start`)).lines).toEqual(['old', 'partial line', 'new']);
  });

  it('resumes across a rename rotation while it was not running: the old file drained, the new one read', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered(0, 100));
    const first = await pass(`tail:${log}?from=start`);
    appendFileSync(log, numbered(100, 150));
    renameSync(log, `${log}.1`);
    writeFileSync(log, numbered(150, 200));
    const second = await pass(`tail:${log}?from=start`, first.position);
    expect([...first.lines, ...second.lines].map((l) => `${l}\n`).join('')).toBe(numbered(0, 200));
  });

  it('goes on in the copy after a copytruncate, and reads the truncated file from the top', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered(0, 100));
    const first = await pass(`tail:${log}*?from=end`);
    const firstFrom = await pass(`tail:${log}*?from=start`);
    expect(first.lines).toEqual([]);
    appendFileSync(log, numbered(100, 150));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, numbered(150, 200));
    const second = await pass(`tail:${log}*`, firstFrom.position);
    expect(second.lines.map((l) => `${l}\n`).join('')).toBe(numbered(100, 200));
  });

  it('takes a copy seen before its original is truncated for the copy it is', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered(0, 100));
    const source = createSource(`tail:${log}*?from=start&poll=5ms`);
    const lines: string[] = [];
    const done = source.run(intakeInto(lines));
    const files = () => (source.position!() as { files: unknown[] }).files.length;
    await until(() => lines.length === 100);
    appendFileSync(log, numbered(100, 150));
    copyFileSync(log, `${log}.1`);
    await until(() => files() === 2);
    truncateSync(log, 0);
    appendFileSync(log, numbered(150, 200));
    await until(() => lines.length >= 200);
    await new Promise((r) => setTimeout(r, 50)); // a duplicate would arrive by now
    source.stop();
    await done;
    expect(lines.map((l) => `${l}\n`).sort().join('')).toBe(numbered(0, 200).split(/(?<=\n)/).sort().join(''));
  });

  it('does not take files that merely begin alike for copies of each other', async () => {
    const dir = tempDir();
    const header = `${'id,name,value,'.repeat(30)}\n`;
    writeFileSync(join(dir, 'a.csv'), `${header}a1\n`);
    const first = await pass(`tail:${dir}/*.csv?from=start`);
    writeFileSync(join(dir, 'b.csv'), `${header}b1\n`);
    const second = await pass(`tail:${dir}/*.csv`, first.position);
    expect(second.lines).toEqual([header.trimEnd(), 'b1']);
  });

  it('refuses a position it did not write', () => {
    expect(() => createSource('tail:/tmp/x.log').seek!({ read: {} })).toThrow(/not one of tail:/);
  });

  it('rejects unknown options with a hint', () => {
    expect(() => createSource('tail:/tmp/x.log?form=start')).toThrow(/unknown option 'form' \(did you mean 'from'\?\)/);
    expect(() => createSource('tail:/tmp/x.log?from=middle')).toThrow(/from: 'middle' is not one of end, start/);
  });
});
