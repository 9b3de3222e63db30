// The pipeline model that both the flag chain and pipeline files turn into: named sources,
// named streams (each read from sources or other streams through a list of operators), and sinks.

import type { Format } from '../render/format.ts';

export interface OpSpec {
  op: string;
  /** As written: an expression's text, a number, a duration's text, or true for a bare flag. */
  arg: unknown;
  options: Record<string, unknown>;
  /** How messages name this operator (`--map`, `streams.errors.ops[2] (map)`). */
  label: string;
}

export interface SourceSpec {
  in: string;
  parse?: string;
}

export interface StreamSpec {
  from: string[];
  ops: OpSpec[];
}

export interface SinkSpec {
  from: string;
  out: string;
  format: Format;
  print?: number;
  withTime: boolean;
}

export interface PipelineSpec {
  batchMs: number;
  onError: string;
  verbose: boolean;
  quiet: boolean;
  sources: Record<string, SourceSpec>;
  streams: Record<string, StreamSpec>;
  sinks: SinkSpec[];
}
