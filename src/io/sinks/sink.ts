// What a sink is: the last stage of a stream, plus close(). The registry (index.ts) maps URIs to sinks.

import { fsyncSync } from 'node:fs';
import { fileError, writeAll } from '../../core/write-all.ts';
import type { ParamValues, UriDef } from '../uri.ts';
import type { OnError } from '../../core/on-error.ts';
import type { Pressure } from '../../core/pressure.ts';
import type { Downstream } from '../../core/stream.ts';
import type { Render } from '../render/format.ts';

export interface Sink extends Downstream {
  /** Everything written is durable or delivered; release resources. */
  close(): Promise<void>;
  /** The run failed mid-batch: drop what the open batch wrote so far (no half-written output). */
  abort?(): void;
}

export interface SinkOptions {
  render: Render;
  /** Prefix each line with its batch time in ms and a TAB. */
  withTime: boolean;
  /** Spark's print(): the first N records of each batch under a header. */
  print?: number;
  /** Where a sink that falls behind within a batch pauses the sources. */
  pressure: Pressure;
  /** --encoding of the text written to files and stdout; utf8 when absent. */
  encoding?: 'utf8' | 'latin1';
  /** Where a record the sink cannot take goes (a field its table has no column for). */
  onError: OnError;
  /** With --checkpoint, the run's identity: a sink that records which batches it wrote (a database) keys them by it. */
  checkpointId?: string;
  /** Where dashboard: and prometheus: sinks show each batch: the --ui server; absent without --ui. */
  board?: Board;
}

/** A panel of the web UI (a dashboard: sink), or a family of gauges on its /metrics (prometheus:). */
export interface Panel {
  kind: 'dashboard' | 'prometheus';
  name: string;
}

/** A record as a panel shows it: a pair's key and value as the sink's format writes them; another record whole, with no value. */
export interface Row {
  key: string;
  value?: string;
}

/** Where panel sinks show their batches: open() is called as the sink is made, before any input; what it returns takes each complete batch. */
export interface Board {
  open(panel: Panel): (time: number, rows: Row[]) => void;
}

/** Text as files and stdout get it: UTF-8, or with --encoding latin1 a byte a character ('?' for one beyond Latin-1). */
export function encoded(text: string, options: SinkOptions): Buffer {
  return options.encoding === 'latin1' ? Buffer.from(text.replace(/[^\x00-\xff]/g, '?'), 'latin1') : Buffer.from(text);
}

export interface SinkDef<T = string> extends UriDef<T> {
  /**
   * `target` is the URI after its scheme, less its parameters (as `target` parsed it), whose checked values
   * (defaults filled in) are `params`; `uri` is as messages show it, its secrets redacted.
   */
  create(target: T, params: ParamValues, options: SinkOptions, uri: string): Sink;
}

/** The text of one record as a line, with the batch time when asked. */
export function lineOf(options: SinkOptions, rec: unknown, time: number): string {
  return options.withTime ? `${time}\t${options.render(rec)}\n` : `${options.render(rec)}\n`;
}

/**
 * The lines of one output file (or stream): before the first, the format's header if it has one
 * (csv:header). The header comes after the first record is rendered, which fixes the columns.
 */
export class Lines {
  private headerDue: boolean;
  private readonly options: SinkOptions;

  /** `fresh`: the output is empty so far (an append: file that already holds lines has its header). */
  constructor(options: SinkOptions, fresh = true) {
    this.options = options;
    this.headerDue = fresh;
  }

  /** A new file begins. */
  restart(fresh = true): void {
    this.headerDue = fresh;
  }

  of(rec: unknown, time: number): string {
    const line = lineOf(this.options, rec, time);
    if (!this.headerDue || !this.options.render.header) return line;
    const header = this.options.render.header();
    this.headerDue = false;
    return header === undefined ? line : `${this.options.withTime ? 'time\t' : ''}${header}\n${line}`;
  }
}

const FLUSH_AT = 1 << 16;

/**
 * Records of a batch written as lines to a file descriptor, in pieces of 64 KiB; sync() makes them
 * durable. A write that fails (a full disk) fails the batch: push() stops writing and sync() throws.
 */
export class FileLines {
  fd = -1;
  /** The file written, as messages name it. */
  file = '';
  /** The batch being written, for --with-time. */
  time = 0;
  private buffered = '';
  private failed: unknown;
  private readonly options: SinkOptions;
  private readonly lines: Lines;

  constructor(options: SinkOptions) {
    this.options = options;
    this.lines = new Lines(options);
  }

  /** Write to `fd` from now on, a new file (`fresh`: empty, so the format's header comes first). */
  open(fd: number, fresh = true): void {
    this.fd = fd;
    this.lines.restart(fresh);
  }

  /** A new batch: `file` is where it goes. */
  begin(time: number, file: string): void {
    this.time = time;
    this.file = file;
    this.failed = undefined;
  }

  push(rec: unknown): void {
    if (this.failed) return;
    this.buffered += this.lines.of(rec, this.time);
    if (this.buffered.length >= FLUSH_AT) this.write();
  }

  /** Write what is buffered and fsync (unless the file cannot be synced: a FIFO, a device); throws if any of the batch could not be written. */
  sync(durable = true): void {
    this.write();
    if (this.failed) throw this.failed;
    if (!durable) return;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw fileError(err, this.file);
    }
  }

  /** Drop what is buffered (the batch is abandoned). */
  discard(): void {
    this.buffered = '';
  }

  private write(): void {
    try {
      if (this.buffered && !this.failed) writeAll(this.fd, encoded(this.buffered, this.options), this.file);
    } catch (err) {
      this.failed = err;
    }
    this.buffered = '';
  }
}
