// What happens to a bad record (--on-error): fail the run, skip and count it, or write it to a
// dead-letter file with the reason. Nothing is dropped without a trace.

import { closeSync, fsyncSync, openSync } from 'node:fs';
import { BadRecordError, failingAs, UsageError } from './errors.ts';
import type { Completion } from './values.ts';
import { writeAll } from './write-all.ts';

/** What a shell completes for --on-error: the modes, a path after `dlq:`. */
export const ON_ERROR_COMPLETION: Completion = { words: ['fail', 'skip', 'dlq:'], pathPrefixes: ['dlq:'] };

export class OnError {
  readonly mode: 'fail' | 'skip' | 'dlq';
  skipped = 0;
  /** Records dropped for arriving after their event-time window was emitted. */
  late = 0;
  private readonly dlqPath: string | undefined;
  private dlqFd: number | undefined;

  constructor(spec: string) {
    if (spec === 'fail' || spec === 'skip') {
      this.mode = spec;
    } else if (spec.startsWith('dlq:') && spec.length > 4) {
      this.mode = 'dlq';
      this.dlqPath = spec.slice(4);
    } else {
      throw new UsageError(`unknown mode '${spec}': use fail, skip or dlq:PATH`);
    }
  }

  /** Handle one bad record; throws BadRecordError in `fail` mode. */
  bad(reason: string, where: string, raw: unknown, cause?: unknown): void {
    if (this.mode === 'fail') throw new BadRecordError(reason, where, { cause });
    if (this.mode === 'dlq') this.deadLetter(reason, where, raw);
    this.skipped++; // only once written: the summary at exit says it was
  }

  /** A record too late for its window: counted, and written to the dead-letter file in `dlq` mode; never fails the run. */
  tooLate(reason: string, where: string, raw: unknown): void {
    if (this.mode === 'dlq') this.deadLetter(reason, where, raw);
    this.late++;
  }

  private deadLetter(reason: string, where: string, raw: unknown): void {
    this.dlqFd ??= failingAs(`--on-error dlq:${this.dlqPath}: cannot write the dead letter`, () => openSync(this.dlqPath!, 'a'));
    writeAll(this.dlqFd, `${JSON.stringify({ where, reason, record: raw })}\n`, this.dlqPath!);
  }

  /** Make dead letters durable; called after each batch. */
  sync(): void {
    if (this.dlqFd !== undefined) fsyncSync(this.dlqFd);
  }

  close(): void {
    if (this.dlqFd !== undefined) closeSync(this.dlqFd);
    this.dlqFd = undefined;
  }

  /** The line for stderr at exit, if any record was skipped or dropped. */
  summary(): string | undefined {
    const bad = this.skipped ? records(this.skipped, 'bad') : '';
    const late = this.late ? records(this.late, 'late') : '';
    if (!bad && !late) return undefined;
    if (this.mode === 'dlq') return `${[bad, late].filter(Boolean).join(' and ')} written to ${this.dlqPath}`;
    return [bad && `${bad} skipped`, late && `${late} dropped`].filter(Boolean).join(', ');
  }
}

function records(n: number, kind: string): string {
  return `${n} ${kind} ${n === 1 ? 'record' : 'records'}`;
}
