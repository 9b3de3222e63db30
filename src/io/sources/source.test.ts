// FdReader: reads by position from where it is told, stops at a replay limit, and reads again what
// --max-rate did not let in.

import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Intake } from './source.ts';
import { tempDir } from '../../../test/support/cli.ts';
import { FdReader } from './source.ts';

/** What an intake tells a reader of lines: no length limit, UTF-8. */
const LINES = { maxLineBytes: Infinity, decode: (b: Buffer, s?: number, e?: number) => b.toString('utf8', s, e) };

function reading(text: string) {
  const path = join(tempDir(), 'in.txt');
  writeFileSync(path, text);
  const got: string[] = [];
  const take = (t: string) => {
    got.push(t);
    return t.length;
  };
  const intake = { ...LINES, text: take, some: take } as unknown as Intake;
  return { fd: openSync(path, 'r'), got, intake };
}

it('delivers nothing of a line that runs past the limit (the file changed since the crash)', async () => {
  const { fd, got, intake } = reading('aaa\nbbbbbb\ncc\n');
  const reader = new FdReader();
  expect(await reader.run(fd, intake, 0, 6)).toBe(true); // inside the second line
  expect(got.join('')).toBe('aaa\n');
  expect(reader.delivered).toBe(4);
  closeSync(fd);
});

it('reads on from an offset to the limit, and delivers a last line without a newline that ends there', async () => {
  const { fd, got, intake } = reading('aaa\nbbb\nccc');
  const reader = new FdReader();
  expect(await reader.run(fd, intake, 4, 8)).toBe(true);
  expect(got.join('')).toBe('bbb\n');
  expect(await reader.run(fd, intake, 8, 11)).toBe(true);
  expect(got.join('')).toBe('bbb\nccc');
  expect(reader.delivered).toBe(11);
  closeSync(fd);
});

it('reads again from the first line the intake did not take, its position that of what was taken', async () => {
  const { fd } = reading('é1\né2\né3');
  const reader = new FdReader();
  const got: string[] = [];
  const positions: number[] = [];
  // one line a call, then paused, as --max-rate does when a batch has taken its budget
  const some = (t: string) => {
    const line = t.slice(0, t.indexOf('\n') + 1 || t.length);
    got.push(line);
    reader.pause();
    queueMicrotask(() => {
      positions.push(reader.delivered);
      reader.resume();
    });
    return line.length;
  };
  expect(await reader.run(fd, { ...LINES, text: some, some } as unknown as Intake, 0)).toBe(true);
  expect(got).toEqual(['é1\n', 'é2\n', 'é3']);
  expect(positions).toEqual([4, 8, 11]);
  closeSync(fd);
});
