// dir: in-process: each file moved in is read once, whole; files still being written are left
// alone; a restart from a saved position goes on where it stopped, in the middle of a file too.

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/cli.ts';
import { intakeInto, pass } from '../../../test/support/source-pass.ts';
import { inProgress } from './dir.ts';
import { createSource } from './index.ts';

/** Write a file the way producers should: under a temporary name, then renamed into place. */
function moveIn(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, `.${name}.part`), text);
  renameSync(join(dir, `.${name}.part`), join(dir, name));
}

describe('dir:', () => {
  it('knows the names of files still being written', () => {
    for (const name of ['.hidden', '_SUCCESS', 'part-0001._COPYING_', 'upload.tmp']) expect(inProgress(name)).toBe(true);
    for (const name of ['part-0001', 'events.ndjson', 'a.tmp.gz']) expect(inProgress(name)).toBe(false);
  });

  it('reads each new file once, whole, and leaves files being written alone', async () => {
    const dir = tempDir();
    moveIn(dir, 'old.txt', 'old\n');
    const first = await pass(`dir:${dir}?from=end`);
    expect(first.lines).toEqual([]);
    moveIn(dir, 'a.txt', 'a1\na2');
    writeFileSync(join(dir, 'b.txt._COPYING_'), 'not yet\n');
    writeFileSync(join(dir, '.c.txt'), 'hidden\n');
    const second = await pass(`dir:${dir}`, first.position);
    expect(second.lines).toEqual(['a1', 'a2']);
    renameSync(join(dir, 'b.txt._COPYING_'), join(dir, 'b.txt'));
    const third = await pass(`dir:${dir}`, second.position);
    expect(third.lines).toEqual(['not yet']);
    expect((await pass(`dir:${dir}`, third.position)).lines).toEqual([]);
  });

  it('reads what is there at the first start with ?from=start, the default of a --once pass, only names matching ?pattern', async () => {
    const dir = tempDir();
    moveIn(dir, 'a.log', 'a\n');
    moveIn(dir, 'b.csv', 'b\n');
    expect((await pass(`dir:${dir}?from=start&pattern=*.log`)).lines).toEqual(['a']);
    expect((await pass(`dir:${dir}?pattern=*.log`)).lines).toEqual(['a']);
  });

  it('reads a file again when a new one is moved in under the same name', async () => {
    const dir = tempDir();
    moveIn(dir, 'batch', 'one\n');
    const first = await pass(`dir:${dir}?from=start`);
    moveIn(dir, 'batch', 'two\n');
    expect((await pass(`dir:${dir}`, first.position)).lines).toEqual(['two']);
  });

  it('stops in the middle of a file when paused and resumes there from its position', async () => {
    const dir = tempDir();
    const text = Array.from({ length: 1_000_000 }, (_, i) => `row ${i}\n`).join('');
    moveIn(dir, 'big.txt', text);
    const source = createSource(`dir:${dir}?from=start`);
    const lines: string[] = [];
    const running = source.run(intakeInto(lines));
    while (lines.length === 0) await new Promise((r) => setImmediate(r));
    source.pause();
    const position = source.position!() as { reading?: { offset: number } };
    source.stop();
    await running;
    expect(lines.length).toBeLessThan(1_000_000);
    expect(position.reading?.offset).toBe(lines.reduce((n, l) => n + l.length + 1, 0));
    const rest = await pass(`dir:${dir}`, position);
    expect([...lines, ...rest.lines].map((l) => `${l}\n`).join('')).toBe(text);
  });

  it('fails clearly when the directory is missing', async () => {
    await expect(pass('dir:/nonexistent/sluice-dir')).rejects.toThrow(/dir:\/nonexistent\/sluice-dir: .*no such file or directory/);
  });
});
