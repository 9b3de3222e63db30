// The polling loop of the file sources (tail:, dir:): read a slice at a time so timers and the batch
// clock keep their turns, poll again when nothing is left, end after one pass under --once; and the
// URI parameters they share.

import { IoError, ioFailure } from '../../core/errors.ts';
import type { UriParam } from '../uri.ts';
import type { Intake, Source } from './source.ts';

/** Bytes read in one go before the event loop gets a turn (timers, the batch clock). */
const SLICE = 1 << 22;

/**
 * Where tail: and dir: start in what is there at the first start: by default at its end when
 * following, and from the start under --once and --schedule, so that a first pass counts it.
 */
export const FROM_PARAM: UriParam = {
  name: 'from',
  value: { kind: 'choice', choices: ['end', 'start'] },
  summary: 'where the first start begins in what is already there (end; start with --once or --schedule)',
};
/** How often tail: and dir: look again once nothing is left to read. */
export const POLL_PARAM: UriParam = { name: 'poll', value: { kind: 'duration', metavar: 'DUR' }, default: '250ms', summary: 'how often to look for more once all is read' };

/** `Replay`: what a subclass needs to re-run a crashed batch (limit()) exactly as far as it went. */
export abstract class PollingSource<Replay> implements Source {
  readonly label: string;
  protected readonly pollMs: number;
  /** ?from as given, if it was. */
  private readonly from: 'end' | 'start' | undefined;
  protected once = false;
  protected intake!: Intake;
  protected paused = false;
  protected stopped = false;
  /** Bytes read at a time (readSize()). */
  protected chunk: number | undefined;
  /** While a crashed batch is re-run: reading stops where it stopped, and `reached` says so. */
  protected replay: (Replay & { reached: () => void }) | undefined;
  private cancel: (() => void) | undefined;
  private settle!: (err?: unknown) => void;

  constructor(label: string, pollMs: number, from: 'end' | 'start' | undefined) {
    this.label = label;
    this.pollMs = pollMs;
    this.from = from;
  }

  /** A first start skips what the files hold then (?from=end, or following without ?from). */
  protected skipsWhatIsThere(): boolean {
    return (this.from ?? (this.once ? 'start' : 'end')) === 'end';
  }

  /** Look for files; `first` on the first look of this run (?from=end skips what is there then). */
  protected abstract scan(first: boolean): void;
  /** Whether a step should scan before it reads. */
  protected abstract scanDue(): boolean;
  /** Read some text into the intake; the bytes read, 0 when there is nothing to read now. */
  protected abstract readSome(): number;
  /** The replay limit(until) sets up; throws if `until` is not a position of this source. */
  protected abstract replayTo(until: unknown): Replay;
  /** Close the files open: the source has ended. */
  protected abstract closeAll(): void;

  run(intake: Intake): Promise<void> {
    this.intake = intake;
    return new Promise((resolve, reject) => {
      this.settle = (err) => {
        this.closeAll();
        if (err) reject(err instanceof IoError ? err : ioFailure(this.label, err));
        else resolve();
      };
      try {
        this.scan(true);
      } catch (err) {
        return this.settle(err);
      }
      this.wake(0);
    });
  }

  untilNow(): void {
    this.once = true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (!this.stopped) this.wake(0);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancel?.();
    this.settle?.();
  }

  readSize(bytes: number): void {
    this.chunk = bytes;
  }

  limit(until: unknown): Promise<void> {
    if (until === undefined) {
      this.replay = undefined;
      if (!this.paused && !this.stopped) this.wake(0);
      return Promise.resolve();
    }
    const replay = this.replayTo(until);
    return new Promise((reached) => (this.replay = { ...replay, reached }));
  }

  /** Run `step` after `ms` (0: as soon as the event loop has had a turn). */
  private wake(ms: number): void {
    this.cancel?.();
    if (ms === 0) {
      const t = setImmediate(this.step);
      this.cancel = () => clearImmediate(t);
    } else {
      const t = setTimeout(this.step, ms);
      this.cancel = () => clearTimeout(t);
    }
  }

  private readonly step = (): void => {
    this.cancel = undefined;
    if (this.stopped || this.paused) return;
    try {
      if (!this.once && this.scanDue()) this.scan(false);
      let read = 0;
      for (let n = 1; n > 0 && read < SLICE && !this.paused && !this.stopped; read += n) n = this.readSome();
      if (this.paused) return; // resume() goes on (--max-rate may have stopped a read short)
      if (read > 0) this.wake(0);
      else if (this.replay) this.replay.reached(); // and read on only once limit(undefined) lifts it
      else if (this.once) this.stop();
      else this.wake(this.pollMs);
    } catch (err) {
      this.stopped = true;
      this.settle(err);
    }
  };
}
