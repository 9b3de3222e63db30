// What a sink is: the last stage of a stream, plus close(). The registry (index.ts) maps URIs to sinks.

import { fsyncSync, writeSync } from 'node:fs';
import type { ParamValues, UriDef } from '../uri.ts';
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
}

export interface SinkDef<T = string> extends UriDef<T> {
  /** `target` is the URI after its scheme, less its parameters (as `target` parsed it), whose checked values (defaults filled in) are `params`. */
  create(target: T, params: ParamValues, options: SinkOptions, uri: string): Sink;
}

/** The text of one record as a line, with the batch time when asked. */
export function lineOf(options: SinkOptions, rec: unknown, time: number): string {
  return options.withTime ? `${time}\t${options.render(rec)}\n` : `${options.render(rec)}\n`;
}

const FLUSH_AT = 1 << 16;

/** Records of a batch written as lines to a file descriptor, in pieces of 64 KiB; sync() makes them durable. */
export class FileLines {
  fd = -1;
  /** The batch being written, for --with-time. */
  time = 0;
  private buffered = '';
  private readonly options: SinkOptions;

  constructor(options: SinkOptions) {
    this.options = options;
  }

  push(rec: unknown): void {
    this.buffered += lineOf(this.options, rec, this.time);
    if (this.buffered.length >= FLUSH_AT) this.write();
  }

  /** Write what is buffered and fsync. */
  sync(): void {
    this.write();
    fsyncSync(this.fd);
  }

  /** Drop what is buffered (the batch is abandoned). */
  discard(): void {
    this.buffered = '';
  }

  private write(): void {
    if (this.buffered) writeSync(this.fd, this.buffered);
    this.buffered = '';
  }
}
