// Writes that are complete or fail: write(2) may take fewer bytes than asked (a disk filling up),
// and what it left out must never be taken as written (then fsync'd and renamed into place).

import { writeSync } from 'node:fs';
import { IoError } from './errors.ts';

/** Write every byte of `data` to `fd`; anything less is an IoError naming `file` (the user's name for it). */
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

/** A failed write, fsync or rename of `file` as the user should read it: a full disk says so. */
export function fileError(err: unknown, file: string): IoError {
  if (err instanceof IoError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new IoError(`disk full: cannot write ${file} (${code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'})`, { cause: err });
  }
  return new IoError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
}
