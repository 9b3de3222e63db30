// gzip files read as the text they hold: recognised by their first bytes (whatever their name), and
// decompressed whole, so a position in one is an offset in its decompressed text.

import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

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
