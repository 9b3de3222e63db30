// gzip files read as the text they hold: recognised by their first bytes (whatever their name), and
// decompressed as a stream, so a position in one is an offset in its decompressed text.

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import type { ReadAt } from './source.ts';

/** Whether the open file begins like a gzip stream (1f 8b). */
export function isGzip(fd: number): boolean {
  const magic = Buffer.alloc(2);
  return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

/** Whether the file at `path` is a gzip file (false if it cannot be read). */
export function isGzipFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      return isGzip(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The decompressed bytes of the gzip file at `path`, read forward from any offset (the text before
 * it is decompressed and skipped: a resume). A damaged or truncated file fails the read after its
 * good bytes, with a GzipError.
 */
export function gunzipped(path: string): ReadAt & { close(): void } {
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.on('error', (err) => gunzip.destroy(err));
  const chunks = file.pipe(gunzip)[Symbol.asyncIterator]();
  let rest: Buffer = Buffer.alloc(0);
  /** The decompressed offset of rest[0]. */
  let at = 0;
  const read = async (buf: Buffer, want: number, offset: number): Promise<number> => {
    for (;;) {
      const skip = offset - at;
      if (rest.length > skip) {
        const n = rest.copy(buf, 0, skip, skip + want);
        rest = rest.subarray(skip + n);
        at = offset + n;
        return n;
      }
      at += rest.length;
      rest = Buffer.alloc(0);
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw new GzipError(problemOf(err as Error));
      }
      if (next.done) return 0;
      rest = next.value;
    }
  };
  return Object.assign(read, { close: () => void file.destroy() });
}

/**
 * A whole gzip file's text; for one that ends early (a copy cut short, one still being written),
 * the text up to there and what is wrong.
 */
export function inflate(compressed: Buffer): { text: Buffer; damage?: string } {
  try {
    return { text: gunzipSync(compressed) };
  } catch (err) {
    // what can be decompressed of it, as zcat writes before its error
    let text = Buffer.alloc(0);
    try {
      text = gunzipSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      // damaged, not cut short: nothing of it is trusted
    }
    return { text, damage: problemOf(err as Error) };
  }
}

function problemOf(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'Z_BUF_ERROR' ? `truncated gzip archive (${err.message})` : `damaged gzip archive (${err.message})`;
}

/** A gzip file that ends early or is damaged: its good text was read. */
export class GzipError extends Error {}
