// What a source is: something that delivers text into an Intake until it ends or is stopped.
// The registry (index.ts) maps URI schemes to source definitions.

import { closeSync, constants, fstatSync, openSync, read } from 'node:fs';
import type { Readable } from 'node:stream';
import { IoError, UsageError } from '../../core/errors.ts';
import type { ParamValues, UriDef } from '../uri.ts';

/** Where a source delivers what it reads: the runtime's intake cuts, decodes and counts it. */
export interface Intake {
  /**
   * Text from here on comes from file `name` (for messages that say where a bad record is, and for
   * what the codec learns per file: a CSV header). `at.id` tells files apart (by default the name;
   * tail: gives `dev:ino`, stable across a rename); `at.start` false: going on inside a file read
   * before, not at its first byte.
   */
  file(name: string, at?: FileAt): void;
  /** Whole lines of text, all of it taken (what is over --max-rate waits in the intake: a pipe or socket cannot be read again). */
  text(chunk: string): void;
  /**
   * Whole lines of text, as many as --max-rate lets in now: returns how many characters were
   * taken. A source that can read again (a file) gives the rest again later, so that its position
   * is always that of what was taken.
   */
  some(chunk: string): number;
  /** One record's text, newlines and all (a Kafka message); `where` names it, `wrap` makes the record from the decoded value. */
  message(text: string, where: () => string, wrap?: (rec: unknown) => unknown): void;
  /** The most bytes a line may have (--max-line-bytes): a source drops a longer one as it comes. */
  readonly maxLineBytes: number;
  /** A line of `bytes` bytes, longer than maxLineBytes, was dropped; `head` is its start: a bad record. */
  overlong(bytes: number, head: Buffer): void;
  /** What was delivered is complete (a dir: file read whole): a record still open in it (a CSV quote never closed) is refused. */
  finish(): void;
  /** The input is damaged here (a truncated archive): a bad record at this place, saying `reason`. */
  damaged(reason: string): void;
  /** Bytes of input as text, in the input's encoding. */
  decode(buf: Buffer, start?: number, end?: number): string;
}

export interface FileAt {
  id?: string;
  start?: boolean;
  /** The file's first line, for a codec that learns from it (a header) when reading begins past it. */
  head?: () => string;
}

export interface Source {
  /** How messages name it: the URI as given, its secrets redacted. */
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
  /** Read at most this many bytes at a time: small reads keep what waits over --max-rate small. */
  readSize?(bytes: number): void;
  /** How many parts --max-rate applies to, each (a Kafka member's partitions); 1 when absent. */
  rateParts?(): number;
}

export interface SourceDef<T = string> extends UriDef<T> {
  /**
   * `target` is the URI after its scheme, less its parameters (as `target` parsed it), whose checked values
   * (defaults filled in) are `params`; `uri` is as messages show it, its secrets redacted.
   */
  create(target: T, params: ParamValues, uri: string): Source;
}

/** The error for --once with a live stream (a socket, a webhook): it has no "now" to stop at. */
export function noOnce(uri: string): UsageError {
  return new UsageError(`--once: ${uri} is a live stream with no end to read up to; --once works with files, tail:, dir:, kafka:// and kinesis://`);
}

/**
 * Cuts a byte stream into text made of whole lines: '\n' never occurs inside a UTF-8 sequence,
 * so decoding up to the last newline of a chunk never splits a character. The start of a line
 * still arriving is kept as the pieces it came in and joined once, at its end (linear however long
 * the line); past the intake's maxLineBytes it is dropped as it comes and reported as overlong.
 */
export class LineChunker {
  private readonly intake: Intake;
  private parts: Buffer[] = [];
  /** Bytes of the line being assembled (or dropped, once past the limit). */
  private pending = 0;
  private dropping = false;

  constructor(intake: Intake) {
    this.intake = intake;
  }

  /**
   * Text of the complete lines so far, in at most two pieces; call `out` for each. `buf` may be
   * reused by the caller afterwards: what is kept of it is copied.
   */
  push(buf: Buffer, out: LineOut): void {
    const first = buf.indexOf(10);
    if (first < 0) return this.keep(buf);
    let from = 0;
    if (this.pending) {
      this.keep(buf.subarray(0, first + 1));
      this.endLine(out, 1);
      from = first + 1;
    }
    const last = buf.lastIndexOf(10);
    if (from <= last) out(this.intake.decode(buf, from, last + 1), buf.subarray(from, last + 1));
    if (last + 1 < buf.length) this.keep(buf.subarray(last + 1));
  }

  /** Bytes kept back: the start of a line whose end has not arrived yet. */
  get carried(): number {
    return this.pending;
  }

  /** The last line, if the input did not end with a newline. */
  end(out: LineOut): void {
    if (this.pending) this.endLine(out, 0);
  }

  private keep(piece: Buffer): void {
    this.pending += piece.length;
    if (this.dropping) return;
    this.parts.push(Buffer.from(piece));
    if (this.pending > this.intake.maxLineBytes + 1) {
      // only its start is kept, to show
      this.dropping = true;
      this.parts = [Buffer.from(Buffer.concat(this.parts).subarray(0, HEAD_BYTES))];
    }
  }

  /** The line kept so far is complete; `newline`: 1 if it ends with one. */
  private endLine(out: LineOut, newline: number): void {
    const line = Buffer.concat(this.parts);
    if (this.dropping) this.intake.overlong(this.pending - newline, line);
    else out(this.intake.decode(line), line);
    this.parts = [];
    this.pending = 0;
    this.dropping = false;
  }
}

/** Where LineChunker hands text: the text of whole lines, and the bytes it was decoded from (valid during the call). */
type LineOut = (text: string, raw: Buffer) => void;

/**
 * The bytes of `raw` that the first `chars` characters of its text came from, `chars` ending a line
 * (or the whole text): counted by newlines, one byte in any encoding, so a character that was not
 * valid UTF-8 cannot skew it.
 */
export function bytesOfLines(raw: Buffer, text: string, chars: number): number {
  if (chars === text.length) return raw.length;
  let at = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < chars; nl = text.indexOf('\n', nl + 1)) at = raw.indexOf(10, at) + 1;
  return at;
}

/** How much of a line too long to keep is shown of it (its start) in the bad-record report. */
export const HEAD_BYTES = 256;

/** Read a byte stream into an intake; resolves at its end or once destroyed by stop(). */
export function readStream(stream: Readable, intake: Intake): Promise<void> {
  const lines = new LineChunker(intake);
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

/** Read up to `want` bytes at `offset` into `buf`; 0 at the end. */
export type ReadAt = (buf: Buffer, want: number, offset: number) => Promise<number>;

/**
 * Reads file descriptors into an intake with two reused buffers (no allocation per chunk), each
 * until its end or stop(): the next chunk is read into one, on a thread of the pool, while the other
 * is cut into lines. Pausing takes effect between reads.
 */
export class FdReader {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
  /** Bytes to ask for per read, at most the buffer's size. */
  size = CHUNK;
  /** Offset just after the last complete line handed to the intake. */
  private deliveredTo = 0;

  get delivered(): number {
    return this.deliveredTo;
  }

  /**
   * Read `fd` (or what `fd` reads: decompressed bytes) to its end, or to byte `end` (a re-run
   * batch's limit: a line that runs past it, the file having changed since, is not delivered);
   * false if stopped first. With `from`, read by position starting there (a file resumed from a
   * checkpoint); without, read on from wherever the descriptor is (a pipe).
   */
  async run(fd: number | ReadAt, intake: Intake, from?: number, end = Infinity): Promise<boolean> {
    const read: ReadAt = typeof fd === 'number' ? (buf, want, offset) => readSome(fd, buf, want, from === undefined ? null : offset) : fd;
    let [buf, spare] = this.buffers;
    /** The read into `buf` already under way, if any. */
    let ahead: Promise<number> | undefined;
    const lines = new LineChunker(intake);
    // read by position (a file), only what --max-rate lets in is handed on: the rest waits here, as
    // bytes not yet delivered, so that the position is always that of what the intake took
    const waiting: { text: string; raw: Buffer }[] = [];
    let waitingBytes = 0;
    const offer = (text: string, raw: Buffer) => {
      if (from === undefined) return intake.text(text);
      const took = waiting.length ? 0 : intake.some(text);
      if (took === text.length) return;
      const rest = Buffer.from(raw.subarray(bytesOfLines(raw, text, took)));
      waiting.push({ text: text.slice(took), raw: rest });
      waitingBytes += rest.length;
    };
    const retry = () => {
      const again = waiting.splice(0);
      waitingBytes = 0;
      for (const { text, raw } of again) offer(text, raw);
    };
    let offset = from ?? 0;
    let ended = false;
    this.deliveredTo = offset;
    try {
      while (!this.stopped) {
        if (waiting.length && !this.paused) retry();
        this.deliveredTo = offset - lines.carried - waitingBytes;
        if (ended && !waiting.length) return true;
        if (this.paused || ended) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        const atEnd = offset >= end;
        const n = atEnd ? 0 : await (ahead ?? read(buf, Math.min(this.size, end - offset), offset));
        ahead = undefined;
        offset += n;
        if (n > 0) {
          const chunk = buf.subarray(0, n);
          [buf, spare] = [spare, buf];
          // a compressed file's text is made on this thread as it is asked for: nothing to read ahead
          if (typeof fd === 'number' && offset < end) ahead = read(buf, Math.min(this.size, end - offset), offset);
          lines.push(chunk, offer);
          continue;
        }
        // the limit is the file's end too: its last line, without a newline, was delivered before
        if (!atEnd || (await read(buf, 1, offset)) === 0) lines.end(offer);
        ended = true;
      }
      return false;
    } finally {
      // a read left under way by a stop or an error: what it gives (or why it fails) goes nowhere
      ahead?.catch(() => {});
    }
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

/**
 * A descriptor read once from wherever it stands, with no position to resume from (stdin, a pipe):
 * one this process has, or `open` opens it when reading starts (a FIFO's open waits for a writer,
 * off the event loop) and it is closed at the end.
 */
export function streamSource(label: string, fd: number | (() => Promise<number>)): Source {
  const reader = new FdReader();
  return {
    label,
    async run(intake) {
      let opened: number | undefined;
      try {
        const given = typeof fd === 'number' ? fd : (opened = await fd());
        const own = nonBlocking(given);
        if (own !== undefined && opened !== undefined) closeSync(opened);
        opened = own ?? opened;
        await reader.run(opened ?? given, intake);
      } catch (err) {
        throw new IoError(`${label}: ${(err as Error).message}`, { cause: err });
      } finally {
        if (opened !== undefined) closeSync(opened);
      }
    },
    pause: () => reader.pause(),
    resume: () => reader.resume(),
    stop: () => reader.stop(),
    readSize: (bytes) => void (reader.size = Math.min(bytes, reader.size)),
  };
}

/**
 * For a pipe or a terminal (stdin, /dev/fd/N, a FIFO opened once a writer came), a description of it of
 * our own opened non-blocking: a read on the thread pool blocked on a quiet pipe would hold the
 * process's exit (the pool's threads are joined) until the writer wrote or closed. Undefined where the
 * descriptor is read as it is: a file (whose offset is the shell's), or a socket, which cannot be opened again.
 */
function nonBlocking(fd: number): number | undefined {
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isCharacterDevice()) {
    try {
      return openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      // no /proc: Node's stream for stdin below
    }
  }
  if (fd === 0 && !st.isFile()) void process.stdin; // Node's stream for it makes it non-blocking
  return undefined;
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
