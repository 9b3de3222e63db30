// Backpressure from sinks to sources: a sink that cannot keep up (a full pipe, a slow server)
// holds the sources paused until it has caught up, so nothing buffers without bound.

export class Pressure {
  private holds = 0;
  /** Told when the first hold starts (true) and the last one ends (false): the engine's flow control. */
  private readonly onChange: (held: boolean) => void;

  constructor(onChange: (held: boolean) => void = () => {}) {
    this.onChange = onChange;
  }

  /** Keep the sources paused until `until` settles. */
  hold(until: Promise<unknown>): void {
    if (this.holds++ === 0) this.onChange(true);
    const release = () => {
      if (--this.holds === 0) this.onChange(false);
    };
    until.then(release, release);
  }

  get held(): boolean {
    return this.holds > 0;
  }
}
