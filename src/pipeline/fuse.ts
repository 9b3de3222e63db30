// Fusions: rewrites of a pipeline into a faster equivalent, decided once when it is planned.
// `--parse split --map 'x[N]'` reads field N straight from each line, so no array of fields is made
// (the common "count by a field" job, where it is most of the cost).

import type { DecodeRange } from '../io/codecs/codec.ts';
import { fieldDecoder } from '../io/codecs/split.ts';
import { readersOf } from './graph.ts';
import type { PipelineSpec } from './pipeline.ts';

const FIELD_ACCESS = /^\s*x\s*\[\s*(\d+)\s*\]\s*$/;

export interface FieldFusion {
  /** The stream whose first operator the source's decoder now does. */
  stream: string;
  decoder: DecodeRange;
}

/** For each source that can be fused with the map after it, the decoder that replaces both. */
export function fuseFieldAccess(spec: PipelineSpec): Map<string, FieldFusion> {
  const fused = new Map<string, FieldFusion>();
  for (const [name, stream] of Object.entries(spec.streams)) {
    const from = stream.from[0]!;
    const first = stream.ops[0];
    const parse = spec.sources[from]?.parse;
    const field = first?.op === 'map' && typeof first.arg === 'string' ? FIELD_ACCESS.exec(first.arg) : null;
    // only where the source feeds this stream alone and the stream reads nothing else
    if (stream.from.length !== 1 || !field || !parse || !/^split(:|$)/.test(parse) || readersOf(spec, from) !== 1) continue;
    fused.set(from, { stream: name, decoder: fieldDecoder(parse.slice(6) || undefined, Number(field[1])) });
  }
  return fused;
}
