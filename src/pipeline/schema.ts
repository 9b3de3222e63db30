// The layout of a pipeline file beyond its options (options.ts): its sections, and the keys of a
// stream and of a sink.

import { optionsIn } from './options.ts';

/** The sections of a pipeline file besides the top-level options. */
export const SECTIONS = ['sources', 'streams', 'sinks'] as const;

/** The keys of a stream: what it reads and what it does to it. */
export const STREAM_KEYS = ['from', 'ops'] as const;

/** The keys a sink takes: the stream it reads, then its options (`out`, `format`, ...). */
export function sinkKeys(): string[] {
  return ['from', ...optionsIn('sink').map((o) => o.name)];
}
