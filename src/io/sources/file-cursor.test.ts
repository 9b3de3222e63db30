// Reading whole lines from an offset: the offset always ends a line handed on, partial lines wait,
// long lines grow the buffer, truncation and rewrites are noticed by size and fingerprint.

import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/cli.ts';
import { FileCursor } from './file-cursor.ts';

function drain(cursor: FileCursor, options: { final?: boolean; end?: number } = {}): string {
  let text = '';
  while (
    cursor.read((t) => {
      text += t;
      return t.length;
    }, options) > 0
  );
  return text;
}

describe('FileCursor', () => {
  it('hands on complete lines only and keeps the offset at the end of the last one', () => {
    const path = join(tempDir(), 'a.log');
    writeFileSync(path, 'one\ntw');
    const cursor = new FileCursor(path);
    expect(drain(cursor)).toBe('one\n');
    expect(cursor.offset).toBe(4);
    appendFileSync(path, 'o\nthree');
    expect(drain(cursor)).toBe('two\n');
    expect(drain(cursor, { final: true })).toBe('three');
    expect(cursor.offset).toBe(13);
    cursor.close();
  });

  it('reads a line longer than its buffer whole', () => {
    const path = join(tempDir(), 'long.log');
    const long = 'x'.repeat(700_000);
    writeFileSync(path, `${long}\nshort\n`);
    const cursor = new FileCursor(path);
    expect(drain(cursor)).toBe(`${long}\nshort\n`);
    cursor.close();
  });

  it('stops at `end`, and never hands on a line that crosses it', () => {
    const path = join(tempDir(), 'a.log');
    writeFileSync(path, 'one\ntwo\nthree\n');
    const cursor = new FileCursor(path);
    expect(drain(cursor, { end: 10 })).toBe('one\ntwo\n');
    expect(drain(cursor)).toBe('three\n');
    cursor.close();
  });

  it('keeps multi-byte characters whole', () => {
    const path = join(tempDir(), 'u.log');
    writeFileSync(path, 'héllo wörld ✓\n日本\n');
    const cursor = new FileCursor(path);
    expect(drain(cursor)).toBe('héllo wörld ✓\n日本\n');
    cursor.close();
  });

  it('notices a truncation and a rewrite of the first bytes', () => {
    const dir = tempDir();
    const path = join(dir, 'a.log');
    writeFileSync(path, 'first line\nsecond line\n');
    const cursor = new FileCursor(path);
    drain(cursor);
    expect(cursor.rewritten()).toBe(false);
    truncateSync(path, 0);
    expect(cursor.rewritten()).toBe(true);
    writeFileSync(path, 'other content that is longer than before\n');
    expect(cursor.rewritten()).toBe(true);
    cursor.restart();
    expect(drain(cursor)).toBe('other content that is longer than before\n');
    cursor.close();
  });

  it('keeps the fingerprint of the lines it read when the file is truncated while they are handed on (copytruncate)', () => {
    const path = join(tempDir(), 'a.log');
    writeFileSync(path, ''); // followed from empty: its fingerprint is taken as lines come
    const cursor = new FileCursor(path);
    writeFileSync(path, 'before 1\nbefore 2\n');
    const copy = join(tempDir(), 'a.log.1');
    writeFileSync(copy, 'before 1\nbefore 2\n');
    cursor.read((text) => {
      truncateSync(path, 0); // the copy is made, the original truncated and written again, as the lines go on
      writeFileSync(path, 'after 1\n');
      return text.length;
    });
    // what was read is what the copy begins with, so the copy is known for the file it came from
    const copied = new FileCursor(copy);
    expect(copied.fingerprint).toBe(cursor.fingerprint);
    expect(cursor.rewritten()).toBe(true);
    copied.close();
    cursor.close();
  });

  it('finds where the last complete line ends', () => {
    const path = join(tempDir(), 'a.log');
    writeFileSync(path, 'one\ntwo\npart');
    const cursor = new FileCursor(path);
    expect(cursor.lastLineEnd()).toBe(8);
    cursor.close();
  });

  it('moves past what its reader took only, so the rest is read again (--max-rate)', () => {
    const path = join(tempDir(), 'a.log');
    writeFileSync(path, 'é1\né2\né3\n');
    const cursor = new FileCursor(path);
    expect(cursor.read((t) => t.indexOf('\n') + 1)).toBe(4); // 'é1\n' is 4 bytes, 3 characters
    expect(cursor.offset).toBe(4);
    expect(cursor.read(() => 0)).toBe(0);
    expect(drain(cursor)).toBe('é2\né3\n');
  });
});
