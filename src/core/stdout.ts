// The process's standard output, for every writer of it (the `-` sink, help, reports): one queue, so
// that what is written keeps its order, and a closed pipe (`sluice ... | head -1`) ends the run quietly.

import { writev } from 'node:fs';
import { EXIT } from './errors.ts';
import type { Pressure } from './pressure.ts';
import { error } from './report.ts';

/** Bytes handed to the queued writer and not yet written past which the sources wait. */
const QUEUED_AT_MOST = 1 << 20;

/** A closed stdout is a normal way for a filter to end; another failure ends the run. */
function stdoutFailed(err: NodeJS.ErrnoException): never {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  error(`stdout: ${err.message}`);
  process.exit(EXIT.runtime);
}

/**
 * Standard output written on the thread pool while the main thread works out what comes next: Node's
 * stream copies into a pipe on the main thread and held the sources at every full pipe until it
 * drained (2.2 s against 1.9 s for a 1 GB filter/map into a pipe); and making it costs start-up time.
 */
class QueuedStdout {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private writing = false;
  private emptied: (() => void)[] = [];
  /** While more than QUEUED_AT_MOST waits: settles once half of it is written. */
  full: Promise<void> | undefined;
  private held: (() => void) | undefined;

  write(data: Buffer, pressure?: Pressure): void {
    this.queue.push(data);
    this.queued += data.length;
    if (!this.writing) this.next();
    if (!this.full && this.queued > QUEUED_AT_MOST) {
      this.full = new Promise<void>((resolve) => (this.held = resolve));
      pressure?.hold(this.full);
    }
  }

  /** Settles once everything handed over is written; undefined when it already is. */
  written(): Promise<void> | undefined {
    return this.writing ? new Promise<void>((resolve) => this.emptied.push(resolve)) : undefined;
  }

  /** Writes all that is queued in one call (a pool thread's turn covers a whole turn of the main thread's output). */
  private next(): void {
    if (!this.queue.length) {
      this.writing = false;
      for (const resolve of this.emptied.splice(0)) resolve();
      return;
    }
    this.writing = true;
    const chunks = this.queue.splice(0);
    writev(1, chunks, null, (err, written) => {
      if (err && err.code !== 'EAGAIN') stdoutFailed(err);
      const n = err ? 0 : written;
      this.queued -= n;
      if (this.held && this.queued <= QUEUED_AT_MOST / 2) {
        this.held();
        this.held = this.full = undefined;
      }
      this.queue.unshift(...unwritten(chunks, n));
      // a full descriptor left non-blocking by whoever shares it (a socket that is stdin too): wait a little and try again
      if (err) setTimeout(() => this.next(), 1);
      else this.next();
    });
  }
}

/** What of `chunks` is left after their first `n` bytes. */
function unwritten(chunks: Buffer[], n: number): Buffer[] {
  let i = 0;
  for (; i < chunks.length && n >= chunks[i]!.length; i++) n -= chunks[i]!.length;
  return i < chunks.length ? [chunks[i]!.subarray(n), ...chunks.slice(i + 1)] : [];
}

/** One for the process, shared by every writer: output keeps the order it was written in. */
let shared: QueuedStdout | undefined;

/** Write `data` on stdout; past a megabyte not yet written, `pressure` (the sources) waits. */
export function writeStdout(data: string | Buffer, pressure?: Pressure): void {
  (shared ??= new QueuedStdout()).write(typeof data === 'string' ? Buffer.from(data) : data, pressure);
}

/** Settles once everything written so far has reached the terminal, pipe or file; undefined when it has. */
export function stdoutWritten(): Promise<void> | undefined {
  return shared?.written();
}

/**
 * While more than a megabyte waits to be written, settles once half of it is: what a batch's end waits
 * for. A batch does not wait for its last bytes (a pool thread's round trip for each of thousands of
 * small batches made a replayed log's event-time windows 1.6 s -> 2.4 s); the run's end does.
 */
export function stdoutFull(): Promise<void> | undefined {
  return shared?.full;
}
