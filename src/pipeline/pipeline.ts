// The pipeline model that both the flag chain and pipeline files turn into: named sources,
// named streams (each read from sources or other streams through a list of operators), and sinks.

import type { Format } from '../io/render/format.ts';
import { redactedUri } from '../io/uri.ts';
import type { OpSpec } from '../operators/operator.ts';

export type { OpSpec };


export interface SourceSpec {
  in: string;
  parse?: string;
  /** At most this many records a second (--max-rate). */
  maxRate?: number;
  /** A longer line is a bad record (--max-line-bytes). */
  maxLineBytes?: number;
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
  /** Steer source rates to the pipeline's processing speed (--adaptive-rate). */
  adaptiveRate?: boolean;
  /** How long a graceful stop may take before sluice exits anyway (--shutdown-timeout). */
  shutdownTimeoutMs?: number;
  /** Where positions and state are saved after each batch, and resumed from (--checkpoint). */
  checkpoint?: string;
  /** Of input and output text (--encoding); utf8 when absent. */
  encoding?: 'utf8' | 'latin1';
  /** Read what is there now, then end (--once). */
  once?: boolean;
  /** Where the web UI listens, [HOST:]PORT (--ui). */
  ui?: string;
  /** Redraw stdout's latest batch in place on a terminal (--live). */
  live?: boolean;
  /** A cron pattern: a --once pass at each tick (--schedule). */
  schedule?: string;
  sources: Record<string, SourceSpec>;
  streams: Record<string, StreamSpec>;
  sinks: SinkSpec[];
}

/** One line per part of a pipeline that its checkpoint depends on: a changed line means a checkpoint cannot be reused. */
export function outline(spec: PipelineSpec): string[] {
  const ops = (s: StreamSpec) => s.ops.map((o) => [o.op, o.arg === true || o.arg === undefined ? '' : ` ${JSON.stringify(o.arg)}`, ...Object.entries(o.options).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)].join(''));
  return [
    `batch ${spec.batchMs} ms`,
    ...Object.entries(spec.sources).map(([name, s]) => `source ${name}: ${redactedUri(s.in)}${s.parse ? ` parsed as ${s.parse}` : ''}`),
    ...Object.entries(spec.streams).map(([name, s]) => `stream ${name} from ${s.from.join(', ')}: ${ops(s).join(' | ') || '(no operators)'}`),
  ];
}
