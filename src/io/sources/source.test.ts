// FdReader: reads by position from where it is told, and stops at a replay limit.

import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Intake } from './source.ts';
import { tempDir } from '../../../test/support/cli.ts';
import { FdReader } from './source.ts';

function reading(text: string) {
  const path = join(tempDir(), 'in.txt');
  writeFileSync(path, text);
  const got: string[] = [];
  const intake = { text: (t: string) => void got.push(t), maxLineBytes: Infinity, decode: (b: Buffer, s?: number, e?: number) => b.toString('utf8', s, e) } as unknown as Intake;
  return { fd: openSync(path, 'r'), got, intake };
}

it('delivers nothing of a line that runs past the limit (the file changed since the crash)', async () => {
  const { fd, got, intake } = reading('aaa\nbbbbbb\ncc\n');
  const reader = new FdReader();
  let reached = false;
  void reader.limitTo(6).then(() => (reached = true)); // inside the second line
  void reader.run(fd, intake, 0);
  await new Promise((r) => setTimeout(r, 50));
  expect(reached).toBe(true);
  expect(got.join('')).toBe('aaa\n');
  reader.stop();
  closeSync(fd);
});

it('reads on from an offset, and past a lifted limit', async () => {
  const { fd, got, intake } = reading('aaa\nbbb\nccc\n');
  const reader = new FdReader();
  void reader.limitTo(8);
  const done = reader.run(fd, intake, 4);
  await new Promise((r) => setTimeout(r, 50));
  expect(got.join('')).toBe('bbb\n');
  reader.unlimit();
  reader.resume();
  expect(await done).toBe(true);
  expect(got.join('')).toBe('bbb\nccc\n');
  expect(reader.delivered).toBe(12);
  closeSync(fd);
});
