// What the message-broker sources share: the messages delivered and not yet acknowledged, in order
// (position() is how many were delivered; once every sink has handled the batch up to such a
// position, the handles up to it are acknowledged upstream: at least once, since after a crash
// before that the broker delivers them again), pausing, and a stop in two steps.

import { noOnce, type Intake, type Source } from './source.ts';

export class Unacked<T> {
  private delivered = 0;
  /** Handles with the count of messages delivered when each arrived, oldest first. */
  private queue: { seq: number; handle: T }[] = [];
  private head = 0;

  /** One more message delivered; `handle` acknowledges it later. */
  add(handle: T): void {
    this.queue.push({ seq: this.delivered++, handle });
  }

  /** A message delivered that needs no acknowledgement (a live source's, QoS 0). */
  skip(): void {
    this.delivered++;
  }

  position(): number {
    return this.delivered;
  }

  /** The handles of messages delivered before `position`, taken out. */
  take(position: unknown): T[] {
    const upTo = position as number;
    const out: T[] = [];
    while (this.head < this.queue.length && this.queue[this.head]!.seq < upTo) out.push(this.queue[this.head++]!.handle);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** The connection that delivered them is gone: the broker delivers them again, these handles are void. */
  clear(): void {
    this.queue = [];
    this.head = 0;
  }

  get size(): number {
    return this.queue.length - this.head;
  }
}

/**
 * A broker source: subclasses read in run() (waiting on whilePaused() between reads where they can
 * stop reading), add each message's handle to `unacked`, and acknowledge in committed().
 */
export abstract class BrokerSource<H> implements Source {
  readonly label: string;
  protected readonly unacked = new Unacked<H>();
  /** Aborted at the first stop(): reading ends. */
  protected readonly stopped = new AbortController();
  protected paused = false;
  private wake: (() => void) | undefined;

  constructor(label: string) {
    this.label = label;
  }

  abstract run(intake: Intake): Promise<void>;

  abstract committed(position: unknown): void | Promise<void>;

  /** Reading ends (the first stop()): what must stop coming. */
  protected abstract endReading(): void;

  /** The engine's final stop(), once the last batch is acknowledged: close the connection. */
  protected abstract close(): void;

  untilNow(): void {
    throw noOnce(this.label);
  }

  position(): number {
    return this.unacked.position();
  }

  /** Resolves at once, or once resume() or stop() is called. */
  protected whilePaused(): Promise<void> {
    return this.paused ? new Promise((resolve) => (this.wake = resolve)) : Promise.resolve();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
    this.wake = undefined;
  }

  /** The first call ends reading; the connection stays for the last batch's acknowledgements and closes at the engine's final call. */
  stop(): void {
    if (this.stopped.signal.aborted) return this.close();
    this.stopped.abort();
    this.endReading();
    this.wake?.();
  }
}
