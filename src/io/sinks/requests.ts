// A sink's requests within a batch (kafka://, kinesis://): records gathered into requests up to their
// limits, each request sent once the one before it is through, so the order is kept; while more than
// a few wait, the sources are held. end() resolves once every request of the batch is through.

import type { Pressure } from '../../core/pressure.ts';

/** Requests a batch may have waiting before the sink holds the sources back. */
const MAX_UNSENT = 4;

export interface RequestLimits {
  /** The most records a request takes (no limit when left out). */
  records?: number;
  /** The most bytes a request takes, as the sink counts a record's size. */
  bytes: number;
}

export class OrderedRequests<T> {
  private request: T[] = [];
  private bytes = 0;
  /** This batch's requests so far, one after the other. */
  private sent: Promise<unknown> = Promise.resolve();
  private unsent = 0;
  private readonly send: (items: T[]) => Promise<void>;
  private readonly limits: RequestLimits;
  private readonly pressure: Pressure;

  constructor(send: (items: T[]) => Promise<void>, limits: RequestLimits, pressure: Pressure) {
    this.send = send;
    this.limits = limits;
    this.pressure = pressure;
  }

  /** A batch begins: its requests wait for none of the last batch's. */
  begin(): void {
    this.sent = Promise.resolve();
    this.unsent = 0;
  }

  /** Add a record of `size` bytes, sending the request filled so far first if it would go over its limits. */
  add(item: T, size: number): void {
    const { records = Infinity, bytes } = this.limits;
    if (this.request.length && (this.request.length >= records || this.bytes + size > bytes)) this.flush();
    this.request.push(item);
    this.bytes += size;
  }

  /** Send what is left; resolves once the whole batch is through, rejects with the first failure. */
  async end(): Promise<void> {
    if (this.request.length) this.flush();
    await this.sent;
  }

  private flush(): void {
    const items = this.request;
    this.request = [];
    this.bytes = 0;
    this.unsent++;
    this.sent = this.sent.then(async () => {
      await this.send(items);
      this.unsent--;
    });
    this.sent.catch(() => {}); // the failure is end()'s to report
    if (this.unsent > MAX_UNSENT) this.pressure.hold(this.sent);
  }
}
