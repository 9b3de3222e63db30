// A request body kept whole until it is complete, so that its lines go in all together or not at
// all: in memory while small, past that in a temporary file (unlinked at once), read back in pieces.

import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAll } from '../../core/write-all.ts';

/** Bytes a body may take in memory; thousands of senders at once must not add up to gigabytes. */
const IN_MEMORY = 1 << 16;
const PIECE = 1 << 20;

export class Spool {
  private chunks: Buffer[] = [];
  private size = 0;
  private fd: number | undefined;

  /** Keep `buf`; throws an IoError if the temporary file cannot take it (a full disk). */
  add(buf: Buffer): void {
    if (this.fd === undefined && this.size + buf.length > IN_MEMORY) {
      const path = join(tmpdir(), `sluice-body-${process.pid}-${randomUUID()}`);
      this.fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      for (const chunk of this.chunks) writeAll(this.fd, chunk, `${tmpdir()} (a request body)`);
      this.chunks = [];
    }
    this.size += buf.length;
    if (this.fd === undefined) this.chunks.push(buf);
    else writeAll(this.fd, buf, `${tmpdir()} (a request body)`);
  }

  /** Hand the body on in pieces, awaiting `between` after each (the pipeline may pause meanwhile); then let it go. */
  async drain(out: (buf: Buffer) => void, between: () => Promise<void>): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) {
      for (const chunk of this.chunks) out(chunk);
      return this.discard();
    }
    const buf = Buffer.allocUnsafe(PIECE);
    try {
      for (let at = 0; at < this.size; ) {
        const n = readSync(fd, buf, 0, Math.min(PIECE, this.size - at), at);
        out(buf.subarray(0, n));
        at += n;
        await between();
      }
    } finally {
      this.discard();
    }
  }

  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.chunks = [];
  }
}
