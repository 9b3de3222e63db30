// Where a source's text enters a pipeline: cut into lines, decoded by the codec, pushed on.
// It knows which file and line each record came from, so a bad record's message can say so.

import { CodecError, SKIP, type DecodeRange } from '../io/codecs/codec.ts';
import type { Downstream } from '../core/stream.ts';
import type { OnError } from '../core/on-error.ts';
import { messageOf } from '../core/errors.ts';

export interface IntakeHooks {
  /** Called after each piece of text is taken in or held (the engine's --max-rate and queue checks). */
  afterText?: () => void;
  /** Called with the first error that must end the run (a bad record in `fail` mode); by default it is thrown. */
  onFail?: (err: unknown) => void;
}

export class Intake {
  /** Lines received since the last call to takeCount(), for per-batch stats. */
  private received = 0;
  /** Time spent on records since the last takeBusyMs(): the per-record part of a batch's processing. */
  private busyMs = 0;
  /** Set while a batch is being closed: text that still arrives waits here for the next batch. */
  private held: Item[] | undefined;
  /** Size of the text held back, for the engine's bound on it. */
  heldChars = 0;
  /**
   * Text over the --max-rate budget from a source that cannot read it again (a pipe, a socket):
   * it waits here, the source paused, for the batches after.
   */
  private over: (string | { file: string })[] = [];
  /** --max-rate: the records a batch may take (Infinity: no limit). */
  private budget = Infinity;
  /** Records taken by the batch being filled (the next one, while one closes), held ones included. */
  private filled = 0;
  private lineNo = 0;
  private origin: string;
  private readonly decode: DecodeRange;
  private readonly next: Downstream;
  private readonly onError: OnError;
  private readonly afterText: () => void;
  private readonly onFail: (err: unknown) => void;

  constructor(origin: string, decode: DecodeRange, next: Downstream, onError: OnError, hooks: IntakeHooks = {}) {
    this.origin = origin;
    this.decode = decode;
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

  /** The following text comes from `name` (a file of a glob), its first line numbered 1. */
  file(name: string): void {
    if (this.over.length) this.over.push({ file: name });
    else if (this.held) this.held.push({ file: name });
    else {
      this.origin = name;
      this.lineNo = 0;
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

  /** Hold back what arrives until release(): the current batch is closing, what comes next is the next batch's. */
  hold(): void {
    this.held ??= [];
    this.filled = 0;
    // what waited over the budget comes first in the next batch
    const waiting = this.over;
    this.over = [];
    for (const item of waiting) {
      if (typeof item === 'string') this.queue(item);
      else this.file(item.file);
    }
  }

  /** Deliver what was held back into the batch that has just opened (it counts toward its budget already). */
  release(): void {
    const held = this.held;
    this.held = undefined;
    this.heldChars = 0;
    for (const item of held ?? []) {
      if (typeof item === 'string') this.deliver(item);
      else if ('file' in item) this.file(item.file);
      else this.decodeMessage(item);
    }
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

  /** The lines of `chunk` the budget has room for, into the open batch or the held text; returns the characters taken. */
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
    const started = performance.now();
    try {
      this.lines(chunk);
    } catch (err) {
      this.onFail(err);
    }
    this.busyMs += performance.now() - started;
  }

  private decodeMessage({ text, where, wrap }: HeldMessage): void {
    const started = performance.now();
    this.received++;
    try {
      try {
        const rec = this.decode(text, 0, text.length);
        if (rec !== SKIP) this.next.push(wrap ? wrap(rec) : rec);
      } catch (err) {
        this.refuse(err, where(), text);
      }
    } catch (err) {
      this.onFail(err);
    }
    this.busyMs += performance.now() - started;
  }

  private lines(chunk: string): void {
    const { decode, next } = this;
    const n = chunk.length;
    let start = 0;
    while (start < n) {
      let nl = chunk.indexOf('\n', start);
      if (nl < 0) nl = n;
      this.lineNo++;
      this.received++;
      try {
        const rec = decode(chunk, start, nl);
        if (rec !== SKIP) next.push(rec);
      } catch (err) {
        this.refuse(err, `${this.origin}:${this.lineNo}`, chunk.slice(start, nl));
      }
      start = nl + 1;
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

type Item = string | { file: string } | HeldMessage;

interface HeldMessage {
  text: string;
  where: () => string;
  wrap: ((rec: unknown) => unknown) | undefined;
}
