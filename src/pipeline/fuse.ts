// Fusions: rewrites of a pipeline into a faster equivalent, decided once when it is planned.
// `--parse split --map 'x[N]'` and `--map 'x.split("SEP")[N]'` read field N straight from each line,
// so no array of fields is made (the common "count by a field" job, where it is most of the cost).

import type { DecodeRange } from '../io/codecs/codec.ts';
import { fieldDecoder } from '../io/codecs/split.ts';
import { sourceFor } from '../io/sources/index.ts';
import { readersOf } from './graph.ts';
import type { PipelineSpec } from './pipeline.ts';

const FIELD_ACCESS = /^\s*x\s*\[\s*(\d+)\s*\]\s*$/;
/** `x.split("SEP")[N]` with a plain quoted separator (no escapes, not empty). */
const SPLIT_ACCESS = /^\s*x\s*\.\s*split\s*\(\s*(?:"([^"\\\n]+)"|'([^'\\\n]+)')\s*\)\s*\[\s*(\d+)\s*\]\s*$/;

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
    const source = spec.sources[from];
    // only where the source feeds this stream alone, the stream reads nothing else and the record
    // is the decoded line itself (not wrapped with a message's metadata)
    if (!source || stream.from.length !== 1 || first?.op !== 'map' || typeof first.arg !== 'string' || readersOf(spec, from) !== 1) continue;
    const decoder = fieldOfLine(source.parse, first.arg);
    if (decoder && !wrapsRecords(source.in)) fused.set(from, { stream: name, decoder });
  }
  return fused;
}

/** The decoder that gives what `expr` gives of each line parsed by `parse`, when it only picks a split field. */
function fieldOfLine(parse: string | undefined, expr: string): DecodeRange | undefined {
  const index = FIELD_ACCESS.exec(expr);
  if (index && parse && /^split(:|$)/.test(parse)) return fieldDecoder(parse.slice(6) || undefined, Number(index[1]));
  const split = SPLIT_ACCESS.exec(expr);
  if (split && parse === undefined) return fieldDecoder(split[1] ?? split[2], Number(split[3]));
  return undefined;
}

/**
 * Whether the source's records are its lines wrapped with a message's metadata (kafka ?meta=true).
 * A URI that does not check (a pipeline file's problem, reported by the loader) is fused with nothing.
 */
function wrapsRecords(uri: string): boolean {
  try {
    return sourceFor(uri).values.meta === true;
  } catch {
    return true;
  }
}
