// What a source is: something that delivers text into an Intake until it ends or is stopped.
// The registry (index.ts) maps URI schemes to source definitions.

import { read } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../engine/errors.ts';
import type { Intake } from '../engine/intake.ts';

export interface Source {
  /** How messages name it: the URI as given. */
  readonly label: string;
  /** Read until the input ends (a finite source) or stop() is called. */
  run(intake: Intake): Promise<void>;
  /** Stop reading for now (backpressure, a batch being flushed); resume() goes on. */
  pause(): void;
  resume(): void;
  /** Stop for good (shutdown): run() resolves soon after. */
  stop(): void;
  /**
   * Where the source stands after the text it has delivered so far (offsets, file identities), as
   * JSON-serialisable data; saved by --checkpoint. Sources that cannot resume leave it out.
   */
  position?(): unknown;
  /** Resume after a restart from a position() saved earlier; called before run(). */
  seek?(position: unknown): void;
  /**
   * --once (Structured Streaming's availableNow): read only what is there now, then end; called
   * before run(). Finite sources need not have it; a live stream throws noOnce().
   */
  untilNow?(): void;
}

export interface SourceDef {
  /** URI scheme, e.g. `tail` for `tail:GLOB`; '' for plain paths, '-' for stdin. */
  scheme: string;
  usage: string;
  summary: string;
  create(rest: string, uri: string): Source;
}

/** The error for --once with a live stream (a socket, a webhook): it has no "now" to stop at. */
export function noOnce(uri: string): UsageError {
  return new UsageError(`--once: ${uri} is a live stream with no end to read up to; --once works with files, tail: and dir:`);
}

/**
 * Cuts a byte stream into text made of whole lines: '\n' never occurs inside a UTF-8 sequence,
 * so decoding up to the last newline of a chunk never splits a character.
 */
export class LineChunker {
  private carry: Buffer | undefined;

  /**
   * Text of the complete lines so far, in at most two pieces; call `out` for each. `buf` may be
   * reused by the caller afterwards: what is kept of it is copied.
   */
  push(buf: Buffer, out: (text: string) => void): void {
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      this.carry = this.carry ? Buffer.concat([this.carry, buf]) : Buffer.from(buf);
      return;
    }
    let from = 0;
    if (this.carry) {
      const first = buf.indexOf(10);
      out(Buffer.concat([this.carry, buf.subarray(0, first + 1)]).toString('utf8'));
      this.carry = undefined;
      from = first + 1;
    }
    if (from <= last) out(buf.toString('utf8', from, last + 1));
    if (last + 1 < buf.length) this.carry = Buffer.from(buf.subarray(last + 1));
  }

  /** The last line, if the input did not end with a newline. */
  end(out: (text: string) => void): void {
    if (this.carry?.length) out(this.carry.toString('utf8'));
    this.carry = undefined;
  }
}

/** Read a byte stream into an intake; resolves at its end or once destroyed by stop(). */
export function readStream(stream: Readable, intake: Intake): Promise<void> {
  const lines = new LineChunker();
  const text = (t: string) => intake.text(t);
  return new Promise((resolve, reject) => {
    stream.on('data', (buf: Buffer) => lines.push(buf, text));
    stream.once('end', () => {
      lines.end(text);
      resolve();
    });
    stream.once('close', resolve);
    stream.once('error', reject);
  });
}

const CHUNK = 1 << 17;

/**
 * Reads file descriptors into an intake with one reused buffer (no allocation per chunk), each
 * until its end or stop(). Pausing takes effect between reads.
 */
export class FdReader {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  /** Read `fd` to its end; false if stopped first. */
  async run(fd: number, intake: Intake): Promise<boolean> {
    const buf = this.buf;
    const lines = new LineChunker();
    const text = (t: string) => intake.text(t);
    while (!this.stopped) {
      if (this.paused) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const n = await readSome(fd, buf);
      if (n === 0) {
        lines.end(text);
        return true;
      }
      lines.push(buf.subarray(0, n), text);
    }
    return false;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** No more reads; a read already waiting on a quiet pipe is left to the process exit. */
  stop(): void {
    this.stopped = true;
    this.resume();
  }
}

function readSome(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, null, (err, n) => {
      // a descriptor left non-blocking by whoever opened it: wait a little and try again
      if (err?.code === 'EAGAIN') setTimeout(() => readSome(fd, buf).then(resolve, reject), 5);
      else if (err) reject(err);
      else resolve(n);
    });
  });
}
