// What a source is: something that delivers text into an Intake until it ends or is stopped.
// The registry (index.ts) maps URI schemes to source definitions.

import { read } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../../core/errors.ts';
import type { ParamValues, UriDef } from '../uri.ts';

/** Where a source delivers what it reads: the runtime's intake cuts, decodes and counts it. */
export interface Intake {
  /** Text from here on comes from file `name` (for messages that say where a bad record is). */
  file(name: string): void;
  /** Whole lines of text. */
  text(chunk: string): void;
  /** One record's text, newlines and all (a Kafka message); `where` names it, `wrap` makes the record from the decoded value. */
  message(text: string, where: () => string, wrap?: (rec: unknown) => unknown): void;
}

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
   * Every sink has handled the batches up to `position` (taken when the batch closed): a source
   * that acknowledges upstream (Kafka offsets) does it now, never before.
   */
  committed?(position: unknown): void | Promise<void>;
  /**
   * --once (Structured Streaming's availableNow): read only what is there now, then end; called
   * before run(). Finite sources need not have it; a live stream throws noOnce().
   */
  untilNow?(): void;
  /**
   * Replay after a crash: deliver nothing beyond `until` (a position() taken earlier); resolves
   * once everything up to it is delivered. limit(undefined) lifts it.
   */
  limit?(until: unknown): Promise<void>;
  /** Read at most this many bytes at a time: small reads let a rate limit hold a source close to its rate. */
  readSize?(bytes: number): void;
  /** How many parts --max-rate applies to, each (a Kafka member's partitions); 1 when absent. */
  rateParts?(): number;
}

export interface SourceDef<T = string> extends UriDef<T> {
  /** `target` is the URI after its scheme, less its parameters (as `target` parsed it), whose checked values (defaults filled in) are `params`. */
  create(target: T, params: ParamValues, uri: string): Source;
}

/** The error for --once with a live stream (a socket, a webhook): it has no "now" to stop at. */
export function noOnce(uri: string): UsageError {
  return new UsageError(`--once: ${uri} is a live stream with no end to read up to; --once works with files, tail:, dir: and kafka://`);
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

  /** Bytes kept back: the start of a line whose end has not arrived yet. */
  get carried(): number {
    return this.carry?.length ?? 0;
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
  /** Bytes to ask for per read, at most the buffer's size. */
  size = CHUNK;
  /** Offset just after the last complete line handed to the intake. */
  private deliveredTo = 0;
  private until: { offset: number; reached: () => void } | undefined;

  get delivered(): number {
    return this.deliveredTo;
  }

  /**
   * Read `fd` to its end; false if stopped first. With `from`, read by position starting there
   * (a file resumed from a checkpoint); without, read on from wherever the descriptor is (a pipe).
   */
  async run(fd: number, intake: Intake, from?: number): Promise<boolean> {
    const buf = this.buf;
    const lines = new LineChunker();
    const text = (t: string) => intake.text(t);
    let offset = from ?? 0;
    this.deliveredTo = offset;
    while (!this.stopped) {
      // reads stop at the limit; a line that runs past it (the file changed since) is not delivered
      const limited = this.until !== undefined && offset >= this.until.offset;
      if (limited) this.until!.reached();
      if (this.paused || limited) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const want = this.until ? Math.min(this.size, this.until.offset - offset) : this.size;
      const n = await readSome(fd, buf, want, from === undefined ? null : offset);
      if (n === 0) {
        lines.end(text);
        this.deliveredTo = offset;
        return true;
      }
      offset += n;
      lines.push(buf.subarray(0, n), text);
      this.deliveredTo = offset - lines.carried;
    }
    return false;
  }

  /** Deliver nothing past `offset` of the descriptor being read; resolves once delivered up to it. */
  limitTo(offset: number): Promise<void> {
    return new Promise((reached) => (this.until = { offset, reached }));
  }

  /** Read on past the limit (unless paused). */
  unlimit(): void {
    this.until = undefined;
    this.wake?.();
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

function readSome(fd: number, buf: Buffer, length: number, position: number | null): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, position, (err, n) => {
      // a descriptor left non-blocking by whoever opened it: wait a little and try again
      if (err?.code === 'EAGAIN') setTimeout(() => readSome(fd, buf, length, position).then(resolve, reject), 5);
      else if (err) reject(err);
      else resolve(n);
    });
  });
}
