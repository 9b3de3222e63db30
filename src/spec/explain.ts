// A pipeline spec written back as a pipeline file: what `sluice explain` prints for a flag chain.
// Options at their defaults are left out, so the file shows only what the command line said.

import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isSeq } from 'yaml';
import type { OptionDef } from '../cli/options.ts';
import { formatDuration } from '../engine/duration.ts';
import type { OpSpec, PipelineSpec } from './pipeline.ts';
import { defaultOf, fieldOf, optionsIn } from './schema.ts';

/** The options of one part of the spec that differ from their defaults, by their file key. */
function given(options: OptionDef[], values: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of options) {
    const value = (values as Record<string, unknown>)[fieldOf(option)];
    if (value === undefined || isDeepStrictEqual(value, defaultOf(option))) continue;
    out[option.name] = option.type === 'duration' ? formatDuration(value as number) : value;
  }
  return out;
}

function opEntry(op: OpSpec): unknown {
  // a flag without an argument: a bare name in the list
  if ((op.arg === true || op.arg === undefined) && !Object.keys(op.options).length) return op.op;
  return { [op.op]: op.arg, ...op.options };
}

export function toYaml(spec: PipelineSpec): string {
  const doc = new Document({
    ...given(optionsIn('top'), spec),
    sources: Object.fromEntries(Object.entries(spec.sources).map(([name, s]) => [name, given(optionsIn('source'), s)])),
    streams: Object.fromEntries(
      Object.entries(spec.streams).map(([name, s]) => [name, { from: s.from.length === 1 ? s.from[0] : s.from, ops: s.ops.map(opEntry) }]),
    ),
    sinks: spec.sinks.map((s) => ({ from: s.from, out: s.out, ...given(optionsIn('sink'), s) })),
  });
  // one line per source and sink, as in the examples
  const sources = doc.get('sources');
  if (isMap(sources)) for (const pair of sources.items) if (isMap(pair.value)) pair.value.flow = true;
  const sinks = doc.get('sinks');
  if (isSeq(sinks)) for (const sink of sinks.items) if (isMap(sink)) sink.flow = true;
  return doc.toString({ lineWidth: 0 });
}
