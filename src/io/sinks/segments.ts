// A batch's lines cut into segments of bounded size, each delivered (and retried) on its own while
// the batch goes on, so that a network sink holds about two segments of a batch, however big it is.

import type { Pressure } from '../../core/pressure.ts';

/** Text gathered before it becomes bytes: lines die young instead of living to the end of the batch. */
const PIECE_CHARS = 1 << 16;

export class Segments {
  private readonly maxBytes: number;
  private readonly deliver: (pieces: Buffer<ArrayBuffer>[]) => Promise<void>;
  private readonly pressure: Pressure;
  private text = '';
  private pieces: Buffer<ArrayBuffer>[] = [];
  /** Bytes of the segment being gathered: its pieces and its text. */
  private bytes = 0;
  /** The segments handed out so far, delivered one after the other; rejects once one has failed. */
  private delivered: Promise<void> = Promise.resolve();
  /** Segments handed out and not yet settled. */
  private pending = 0;

  /** `deliver` sends one segment (its pieces, in order), resolving once the peer has all of it. */
  constructor(maxBytes: number, deliver: (pieces: Buffer<ArrayBuffer>[]) => Promise<void>, pressure: Pressure) {
    this.maxBytes = maxBytes;
    this.deliver = deliver;
    this.pressure = pressure;
  }

  /** Start a new batch: what an abandoned batch left is dropped. */
  reset(): void {
    this.text = '';
    this.pieces = [];
    this.bytes = 0;
    this.delivered = Promise.resolve();
  }

  /** A line of the batch; a line bigger than a segment goes alone. */
  add(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.bytes + bytes > this.maxBytes && this.bytes) this.handOut();
    this.text += line;
    this.bytes += bytes;
    if (this.text.length >= PIECE_CHARS) this.piece();
  }

  /** Deliver what is left and wait until every segment of the batch has been delivered. */
  async end(): Promise<void> {
    if (this.bytes) this.handOut();
    await this.delivered;
  }

  private piece(): void {
    this.pieces.push(Buffer.from(this.text));
    this.text = '';
  }

  private handOut(): void {
    if (this.text) this.piece();
    const pieces = this.pieces;
    this.pieces = [];
    this.bytes = 0;
    // one segment on the way and the next full: the sources wait until the first is delivered
    if (this.pending) this.pressure.hold(this.delivered);
    this.pending++;
    this.delivered = this.delivered.then(() => this.deliver(pieces)).finally(() => this.pending--);
    this.delivered.catch(() => {}); // reported by end()
  }
}
