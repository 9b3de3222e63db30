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
  const intake = { text: (t: string) => void got.push(t) } as unknown as Intake;
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
