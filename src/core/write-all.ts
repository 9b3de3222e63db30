// Writes that are complete or fail: write(2) may take fewer bytes than asked (a disk filling up),
// and what it left out must never be taken as written (then fsync'd and renamed into place).

import { writeSync } from 'node:fs';
import { ioFailure, type SluiceError } from './errors.ts';

/** Write every byte of `data` to `fd`; anything less is a fileError naming `file` (the user's name for it). */
export function writeAll(fd: number, data: string | Uint8Array, file: string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    for (let done = 0; done < buf.length; ) {
      const n = writeSync(fd, buf, done, buf.length - done);
      if (n <= 0) throw new Error('the write took no bytes');
      done += n;
    }
  } catch (err) {
    throw fileError(err, file);
  }
}

/**
 * A failed write, fsync or rename of `file` as the user should read it, naming the user's file (never
 * a temporary one): `disk full: cannot write FILE (no space left on the device; free some space and run again)`.
 */
export function fileError(err: unknown, file: string): SluiceError {
  return ioFailure(`cannot write ${file}`, err);
}
