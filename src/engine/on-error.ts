// What happens to a bad record (--on-error): fail the run, skip and count it, or write it to a
// dead-letter file with the reason. Nothing is dropped without a trace.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { BadRecordError, UsageError } from './errors.ts';

export class OnError {
  readonly mode: 'fail' | 'skip' | 'dlq';
  skipped = 0;
  private readonly dlqPath: string | undefined;
  private dlqFd: number | undefined;

  constructor(spec: string) {
    if (spec === 'fail' || spec === 'skip') {
      this.mode = spec;
    } else if (spec.startsWith('dlq:') && spec.length > 4) {
      this.mode = 'dlq';
      this.dlqPath = spec.slice(4);
    } else {
      throw new UsageError(`--on-error: unknown mode '${spec}': use fail, skip or dlq:PATH`);
    }
  }

  /** Handle one bad record; throws BadRecordError in `fail` mode. */
  bad(reason: string, where: string, raw: unknown, cause?: unknown): void {
    if (this.mode === 'fail') throw new BadRecordError(reason, where, { cause });
    this.skipped++;
    if (this.mode === 'dlq') {
      this.dlqFd ??= openSync(this.dlqPath!, 'a');
      writeSync(this.dlqFd, `${JSON.stringify({ where, reason, record: raw })}\n`);
    }
  }

  /** Make dead letters durable; called after each batch. */
  sync(): void {
    if (this.dlqFd !== undefined) fsyncSync(this.dlqFd);
  }

  close(): void {
    if (this.dlqFd !== undefined) closeSync(this.dlqFd);
    this.dlqFd = undefined;
  }

  /** The line for stderr at exit, if any record was skipped. */
  summary(): string | undefined {
    if (!this.skipped) return undefined;
    const noun = this.skipped === 1 ? 'record' : 'records';
    return this.mode === 'dlq'
      ? `${this.skipped} bad ${noun} written to ${this.dlqPath}`
      : `${this.skipped} bad ${noun} skipped`;
  }
}
