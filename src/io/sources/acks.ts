// The messages a broker source has delivered and not yet acknowledged, in order. Its position() is
// how many it has delivered; once every sink has handled the batch up to such a position, the
// handles up to it are acknowledged upstream (at least once: a crash before that, and the broker
// delivers them again).

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
