// tail: end to end: the real bin/sluice follows files while they are written, rotated by rename
// and by copytruncate, and joined by new files; every line written comes out exactly once.

import { appendFileSync, closeSync, copyFileSync, openSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';

const sorted = (text: string) => text.split('\n').filter(Boolean).sort();

/**
 * sluice following `uri` into OUT (one appended file, so the test can watch it grow); resolves once
 * its first batch has run, so the files have been looked at.
 */
async function follow(uri: string, dir: string) {
  const out = join(dir, 'out.txt');
  const run = start(['-v', '-b', '100ms', '-i', uri, '-o', `append:${out}`]);
  let stderr = '';
  run.child.stderr!.on('data', (d: Buffer) => (stderr += d));
  await eventually(() => stderr.includes('batch '), 'the first batch');
  return { out, ...run };
}

describe('tail: end to end', () => {
  it('follows a file through rename rotation (writes to the old file go on for a while) and copytruncate', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('start', 0, 500));
    const { out, child, done } = await follow(`tail:${log}?from=start&poll=20ms`, dir);
    let written = numbered('start', 0, 500);
    const write = (fd: number, text: string) => {
      writeSync(fd, text);
      written += text;
    };

    await eventually(() => linesOf(out).length === 500, 'the first lines');
    let fd = openSync(log, 'a');
    write(fd, numbered('before-rename', 0, 2000));
    renameSync(log, `${log}.1`); // logrotate create mode: rename, then the app reopens
    write(fd, numbered('late-in-old', 0, 300)); // the app has not reopened yet
    closeSync(fd);
    fd = openSync(log, 'a');
    write(fd, numbered('after-rename', 0, 2000));
    await eventually(() => linesOf(out).length === sorted(written).length, 'the renamed file drained and the new one read');

    // copytruncate loses what the tailer has not read yet (with `tail -F` too), so wait for it first
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    write(fd, numbered('after-truncate', 0, 1500));
    closeSync(fd);
    await eventually(() => linesOf(out).length >= sorted(written).length, 'the truncated file read from the top');

    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/app\.log was truncated; reading it from the start/);
    expect(linesOf(out).sort()).toEqual(sorted(written));
  });

  it('misses nothing of a copytruncate it has not caught up with when the glob matches the copies', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const { out, child, done } = await follow(`tail:${log}*?poll=20ms`, dir);
    const all = numbered('before', 0, 20_000) + numbered('after', 0, 20_000);
    appendFileSync(log, numbered('before', 0, 20_000));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, numbered('after', 0, 20_000));
    await eventually(() => linesOf(out).length >= 40_000, 'every line');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(linesOf(out).sort()).toEqual(sorted(all));
  });

  it('skips what files held at the start, then reads new lines and new files matching the glob', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), numbered('old', 0, 100));
    writeFileSync(join(dir, 'notes.txt'), 'not matched\n');
    const { out, child, done } = await follow(`tail:${dir}/*.log?poll=20ms`, dir);
    appendFileSync(join(dir, 'a.log'), numbered('new-a', 0, 100));
    writeFileSync(join(dir, 'b.log'), numbered('new-b', 0, 100));
    appendFileSync(join(dir, 'notes.txt'), 'still not matched\n');
    await eventually(() => linesOf(out).length >= 200, 'the new lines');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(linesOf(out).sort()).toEqual(sorted(numbered('new-a', 0, 100) + numbered('new-b', 0, 100)));
  });
});
