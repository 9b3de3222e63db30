// dir: end to end: files moved into a watched directory by a writer in the test are each read
// once, whole; names of files still being written are left alone.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';

describe('dir: end to end', () => {
  it('reads every file moved in once, and none still being written', async () => {
    const dir = tempDir();
    const inbox = join(dir, 'inbox');
    const out = join(dir, 'out.txt');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'before-start.txt'), 'there before sluice started\n');
    const { child, done } = start(['-v', '-b', '100ms', '-i', `dir:${inbox}?poll=20ms`, '-o', `append:${out}`]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await eventually(() => stderr.includes('batch '), 'the first batch');

    let expected = '';
    for (let i = 0; i < 20; i++) {
      const text = numbered(`file${i}`, 0, 1000);
      writeFileSync(join(inbox, `.part-${i}.txt`), text); // written under a hidden name...
      renameSync(join(inbox, `.part-${i}.txt`), join(inbox, `part-${i}.txt`)); // ...then moved in
      expected += text;
    }
    writeFileSync(join(inbox, 'upload.txt._COPYING_'), 'still being copied\n');
    writeFileSync(join(inbox, 'upload.tmp'), 'still being written\n');
    await eventually(() => linesOf(out).length >= 20_000, 'every file');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(linesOf(out).sort()).toEqual(expected.trimEnd().split('\n').sort());
  });
});
