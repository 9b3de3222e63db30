// What a sink is: the last stage of a stream, plus close(). The registry (index.ts) maps URIs to sinks.

import type { Pressure } from '../engine/pressure.ts';
import type { Downstream } from '../engine/stream.ts';
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

export interface SinkDef {
  scheme: string;
  usage: string;
  summary: string;
  create(rest: string, options: SinkOptions, uri: string): Sink;
}

/** The text of one record as a line, with the batch time when asked. */
export function lineOf(options: SinkOptions, rec: unknown, time: number): string {
  return options.withTime ? `${time}\t${options.render(rec)}\n` : `${options.render(rec)}\n`;
}
