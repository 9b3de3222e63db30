// Where a source's text enters a pipeline: cut into lines, decoded by the codec, pushed on.
// It knows which file and line each record came from, so a bad record's message can say so.

import { isUtf8 } from 'node:buffer';
import { CodecError, SKIP, type DecodeRange } from '../io/codecs/codec.ts';
import type { Downstream } from '../core/stream.ts';
import type { FileAt } from '../io/sources/source.ts';
import type { OnError } from '../core/on-error.ts';
import { messageOf } from '../core/errors.ts';
import { defaultValue } from '../core/values.ts';
import { OPTIONS } from '../pipeline/options.ts';
import { monotonicMs } from '../core/clock.ts';

export interface IntakeHooks {
  /** Called after each piece of text is taken in or held (the engine's --max-rate and queue checks). */
  afterText?: () => void;
  /** Called with the first error that must end the run (a bad record in `fail` mode); by default it is thrown. */
  onFail?: (err: unknown) => void;
}

/** How bytes become lines: --max-line-bytes, --encoding. */
export interface Reading {
  maxLineBytes?: number;
  encoding?: 'utf8' | 'latin1';
}

/** How much of a record too long to keep a bad-record report shows. */
const HEAD_CHARS = 256;

/** --max-line-bytes by default, as the option table gives it. */
const MAX_LINE_BYTES = defaultValue(OPTIONS.find((o) => o.name === 'max-line-bytes')!) as number;

/** Files whose state is kept while others are read (tail: follows several; each rotation is one more). */
const KEPT_FILES = 64;

/** What is kept of a file while others are read, and in a checkpoint. */
interface FileRead {
  /** The name it was last read under, for messages. */
  name: string;
  lineNo: number;
  codec: unknown;
  /** A record begun and not ended (a CSV quoted field going on past its line): its text so far. */
  open?: OpenRecord;
}

/** A record begun and not ended: its text so far, how many bytes that is, and the line it began on. */
interface OpenRecord {
  text: string;
  bytes: number;
  line: number;
}

export interface SavedIntake {
  files: [string, FileRead][];
}

export class Intake {
  /** The most bytes a line may have; a source drops a longer one and calls overlong(). */
  readonly maxLineBytes: number;
  /** Bytes of input that were not valid UTF-8 and were replaced by U+FFFD. */
  replaced = 0;
  /** --encoding latin1: each byte is the character of that code. */
  private readonly latin1: boolean;
  /** Lines received since the last call to takeCount(), for per-batch stats. */
  private received = 0;
  /** Time spent on records since the last takeBusyMs(): the per-record part of a batch's processing. */
  private busyMs = 0;
  /** Set while a batch is being closed: text that still arrives waits here for the next batch. */
  private held: Item[] | undefined;
  /** Size of the text held back, for the engine's bound on it. */
  heldChars = 0;
  /**
   * Text over the --max-rate budget from a source that cannot read it again (a pipe, a socket), and
   * what came after it: it waits here, the source paused, for the batches after.
   */
  private over: Item[] = [];
  /** --max-rate: the records a batch may take (Infinity: no limit). */
  private budget = Infinity;
  /** Records taken by the batch being filled (the next one, while one closes), held ones included. */
  private filled = 0;
  private lineNo = 0;
  private origin: string;
  /** The file text comes from now (file()'s `at.id`), and what is kept of the others, oldest first. */
  private fileId: string | undefined;
  private files = new Map<string, FileRead>();
  /** The current file's record begun and not ended yet. */
  private open: FileRead['open'];
  private readonly codec: DecodeRange;
  private readonly next: Downstream;
  private readonly onError: OnError;
  private readonly afterText: () => void;
  private readonly onFail: (err: unknown) => void;

  constructor(origin: string, decode: DecodeRange, next: Downstream, onError: OnError, hooks: IntakeHooks = {}, reading: Reading = {}) {
    this.origin = origin;
    this.maxLineBytes = reading.maxLineBytes ?? MAX_LINE_BYTES;
    this.latin1 = reading.encoding === 'latin1';
    this.codec = decode;
    this.next = next;
    this.onError = onError;
    this.afterText = hooks.afterText ?? (() => {});
    this.onFail =
      hooks.onFail ??
      ((err) => {
        throw err;
      });
  }

  /** --max-rate: at most `records` a batch, from the batch being filled on. */
  setBudget(records: number): void {
    this.budget = records;
  }

  /** The batch being filled has taken its budget, or text waits over it: the source must wait. */
  get full(): boolean {
    return this.filled >= this.budget || this.over.length > 0;
  }

  /**
   * The following text comes from `name` (a file of a glob), its first line numbered 1; or, with
   * `at.start` false, from a file read before (tail: going back and forth), going on with its line
   * count and what the codec learnt of it.
   */
  file(name: string, at: FileAt = {}): void {
    this.enqueue({ file: name, at });
  }

  private openFile(name: string, at: FileAt): void {
    const id = at.id ?? name;
    if (id === this.fileId && at.start === false) {
      this.origin = name; // renamed (rotated) while it was read
      return;
    }
    this.stash();
    const kept = at.start === false ? this.files.get(id) : undefined;
    this.files.delete(id);
    this.origin = name;
    this.fileId = id;
    this.lineNo = kept?.lineNo ?? 0;
    this.open = kept?.open;
    this.codec.fileState?.set(kept?.codec);
    if (!kept && at.start === false && at.head && this.codec.fileState) {
      const head = at.head();
      try {
        this.codec(head, 0, head.length); // learnt from, not a record
      } catch {
        // a header that does not decode: the next line is taken for it, as at the top of a file
      }
    }
  }

  /** What a checkpoint keeps of the files read: line counts and what the codec learnt, per file. */
  saved(): SavedIntake {
    this.stash();
    return { files: [...this.files] };
  }

  /** Take back saved(): the sources, resuming, say which file goes on (file() with `start` false). */
  restore(saved: unknown): void {
    const files = (saved as SavedIntake | undefined)?.files;
    if (Array.isArray(files)) this.files = new Map(files.filter((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[1]?.lineNo === 'number'));
  }

  /** Keep the current file's state aside while another file's text comes. */
  private stash(): void {
    if (this.fileId === undefined) return;
    this.files.delete(this.fileId); // re-inserted last: the oldest go first
    this.files.set(this.fileId, { name: this.origin, lineNo: this.lineNo, codec: this.codec.fileState?.get(), ...(this.open && { open: this.open }) });
    if (this.files.size > KEPT_FILES) {
      const [oldest, file] = this.files.entries().next().value!;
      this.files.delete(oldest);
      if (file.open) this.flushOpen(file.name, file.open); // never silently lost
    }
  }

  /** Complete lines, each ended by '\n' except perhaps the last line of the input; what is over the budget waits here. */
  text(chunk: string): void {
    this.queue(chunk);
    this.afterText();
  }

  /**
   * Complete lines, as many as the budget lets in now: returns how many characters were taken.
   * The source reads the rest again later (a file), so that its position stays that of what was taken.
   */
  some(chunk: string): number {
    const took = this.take(chunk);
    this.afterText();
    return took;
  }

  /**
   * One message that is one record whatever it holds (a Kafka value may span several lines): decoded
   * whole, then given to `wrap`, which adds what the source knows of it (its key, its offset).
   * `where` names it in error messages; it is called only then. Always taken: a message source is
   * paused the moment its budget is spent, so it goes over by one at most.
   */
  message(text: string, where: () => string, wrap?: (rec: unknown) => unknown): void {
    this.filled++;
    if (this.held) {
      this.held.push({ text, where, wrap });
      this.heldChars += text.length;
    } else this.decodeMessage({ text, where, wrap });
    this.afterText();
  }

  private decodeMessage({ text, where, wrap }: HeldMessage): void {
    const started = monotonicMs();
    this.received++;
    try {
      try {
        const rec = this.codec(text, 0, text.length);
        if (rec !== SKIP) this.next.push(wrap ? wrap(rec) : rec);
      } catch (err) {
        this.refuse(err, where(), text);
      }
    } catch (err) {
      this.onFail(err);
    }
    this.busyMs += monotonicMs() - started;
  }

  /** A line too long to keep, dropped by the source: a bad record at its place, shown by its start. */
  overlong(bytes: number, head: Buffer): void {
    this.badLine(this.tooLong(bytes), `${head.toString('utf8').replace(/\uFFFD$/, '')}...`);
  }

  /** The input is damaged at this point (a truncated archive): a bad record at its place. */
  damaged(reason: string): void {
    this.badLine(new CodecError(reason), '');
  }

  /** A line the source could not hand on, refused with `err` at the next line's place. */
  private badLine(err: CodecError, raw: string): void {
    this.enqueue({ bad: err, raw });
    this.afterText();
  }

  private refuseLine(err: CodecError, raw: string): void {
    this.lineNo++;
    this.received++;
    try {
      this.refuse(err, `${this.origin}:${this.lineNo}`, raw);
    } catch (e) {
      this.onFail(e);
    }
  }

  private tooLong(bytes: number): CodecError {
    return new CodecError(`a line of ${bytes} bytes, more than --max-line-bytes ${this.maxLineBytes}`);
  }

  /** Bytes of input as text: Latin-1, or UTF-8 counting the bytes that are not (each becomes U+FFFD). */
  decode(buf: Buffer, start = 0, end = buf.length): string {
    if (this.latin1) return buf.toString('latin1', start, end);
    const bytes = buf.subarray(start, end);
    if (!isUtf8(bytes)) this.replaced += invalidUtf8(bytes);
    return bytes.toString('utf8');
  }

  /** Hold back what arrives until release(): the current batch is closing, what comes next is the next batch's. */
  hold(): void {
    this.held ??= [];
    this.filled = 0;
    // what waited over the budget comes first in the next batch
    const waiting = this.over;
    this.over = [];
    for (const item of waiting) this.enqueue(item);
  }

  /** Deliver what was held back into the batch that has just opened (it counts toward its budget already). */
  release(): void {
    const held = this.held;
    this.held = undefined;
    this.heldChars = 0;
    for (const item of held ?? []) this.apply(item);
  }

  /** Hand `item` on now, or keep it after what waits: text over the budget, or what comes while a batch closes. */
  private enqueue(item: Item): void {
    if (typeof item === 'string') this.queue(item);
    else if (this.over.length) this.over.push(item);
    else if (this.held) this.held.push(item);
    else this.apply(item);
  }

  private apply(item: Item): void {
    if (typeof item === 'string') this.deliver(item);
    else if ('file' in item) this.openFile(item.file, item.at);
    else if ('bad' in item) this.refuseLine(item.bad, item.raw);
    else if ('finish' in item) this.finishNow();
    else this.decodeMessage(item);
  }

  /** Take what the budget lets in of `chunk`; keep the rest, after anything already waiting. */
  private queue(chunk: string): void {
    if (this.over.length) {
      this.over.push(chunk);
      return;
    }
    const took = this.take(chunk);
    if (took < chunk.length) this.over.push(chunk.slice(took));
  }

  /**
   * The lines of `chunk` the budget has room for, into the open batch or the held text; returns the
   * characters taken. Lines are counted, so a record of several lines (CSV) counts as several.
   */
  private take(chunk: string): number {
    let end = chunk.length;
    if (this.budget !== Infinity) {
      // count whole lines up to the room left; the last line of the input may lack its newline
      let lines = 0;
      for (end = 0; end < chunk.length && this.filled + lines < this.budget; lines++) {
        const nl = chunk.indexOf('\n', end);
        end = nl < 0 ? chunk.length : nl + 1;
      }
      this.filled += lines;
      if (end === 0) return 0;
    }
    const part = end === chunk.length ? chunk : chunk.slice(0, end);
    if (this.held) {
      this.held.push(part);
      this.heldChars += part.length;
    } else this.deliver(part);
    return end;
  }

  private deliver(chunk: string): void {
    const started = monotonicMs();
    try {
      this.lines(chunk);
    } catch (err) {
      this.onFail(err);
    }
    this.busyMs += monotonicMs() - started;
  }

  private lines(chunk: string): void {
    const { codec: decode } = this;
    const n = chunk.length;
    let start = 0;
    while (start < n) {
      let nl = chunk.indexOf('\n', start);
      if (nl < 0) nl = n;
      this.lineNo++;
      const open = this.open;
      // a record whose quoted field goes on past the line (CSV) waits for the lines that end it
      if (decode.continues?.(chunk, start, nl, open !== undefined) && nl < n) {
        const line = chunk.slice(start, nl + 1);
        const text = (open?.text ?? '') + line;
        const bytes = (open?.bytes ?? 0) + Buffer.byteLength(line);
        this.open = { text, bytes, line: open?.line ?? this.lineNo };
        if (bytes > this.maxLineBytes) {
          this.open = undefined;
          this.received++;
          this.refuse(this.tooLong(bytes), `${this.origin}:${open?.line ?? this.lineNo}`, text.slice(0, HEAD_CHARS));
        }
        start = nl + 1;
        continue;
      }
      this.open = undefined;
      this.received++;
      const where = open?.line ?? this.lineNo;
      try {
        if (open) {
          const text = open.text + chunk.slice(start, nl);
          this.record(text, 0, text.length);
        } else this.record(chunk, start, nl);
      } catch (err) {
        this.refuse(err, `${this.origin}:${where}`, (open?.text ?? '') + chunk.slice(start, nl));
      }
      start = nl + 1;
    }
  }

  /** Decode one record's text and push it on; throws what the codec or an operator refuses. */
  private record(text: string, start: number, end: number): void {
    // a line a source could hold whole (shorter than its read size) may still be too long
    const bytes = end - start > this.maxLineBytes / 3 ? Buffer.byteLength(text.slice(start, end)) : 0;
    if (bytes > this.maxLineBytes) throw this.tooLong(bytes);
    const rec = this.codec(text, start, end);
    if (rec !== SKIP) this.next.push(rec);
  }

  /**
   * The input has ended (or a dir: file): a record still open (a CSV quote never closed), of the
   * current file or of one read before, is decoded as it is, and refused by the codec.
   */
  finish(): void {
    this.enqueue({ finish: true });
  }

  private finishNow(): void {
    if (this.open) this.flushOpen(this.origin, this.open);
    this.open = undefined;
    for (const [id, file] of this.files) {
      if (!file.open) continue;
      this.files.set(id, { ...file, open: undefined });
      // the current file's copy there is one saved() took: its record may have ended since
      if (id !== this.fileId) this.flushOpen(file.name, file.open);
    }
  }

  private flushOpen(name: string, open: OpenRecord): void {
    this.received++;
    const text = open.text.endsWith('\n') ? open.text.slice(0, -1) : open.text; // the last line's newline ends it
    try {
      try {
        this.record(text, 0, text.length);
      } catch (err) {
        this.refuse(err, `${name}:${open.line}`, text);
      }
    } catch (err) {
      this.onFail(err);
    }
  }

  /** A record the codec or an operator refused, at `where` and the codec's column if it gave one. */
  private refuse(err: unknown, where: string, raw: string): void {
    const column = err instanceof CodecError && err.column ? `:${err.column}` : '';
    this.onError.bad(messageOf(err), `${where}${column}`, raw, err);
  }

  takeBusyMs(): number {
    const ms = this.busyMs;
    this.busyMs = 0;
    return ms;
  }

  takeCount(): number {
    const n = this.received;
    this.received = 0;
    return n;
  }
}

type Item = string | { file: string; at: FileAt } | HeldMessage | { bad: CodecError; raw: string } | { finish: true };

interface HeldMessage {
  text: string;
  where: () => string;
  wrap: ((rec: unknown) => unknown) | undefined;
}

/** How many bytes of `bytes` are not part of a well-formed UTF-8 sequence. */
export function invalidUtf8(bytes: Buffer): number {
  let bad = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 1 || (n > 1 && isUtf8(bytes.subarray(i, i + n)))) i += n;
    else {
      bad++;
      i++;
    }
  }
  return bad;
}
