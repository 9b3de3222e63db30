// A pipeline spec written back as a pipeline file: what `sluice explain` prints for a flag chain.
// Options at their defaults are left out, so the file shows only what the command line said.

import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isSeq, type Node } from 'yaml';
import { defaultValue } from '../core/values.ts';
import { redactedUri } from '../io/uri.ts';
import { fieldOf, optionsIn, type OptionDef } from './options.ts';
import { formatDuration } from '../core/duration.ts';
import type { OpSpec, PipelineSpec } from './pipeline.ts';

/** The options of one part of the spec that differ from their defaults, by their file key. */
function given(options: OptionDef[], values: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of options) {
    const value = (values as Record<string, unknown>)[fieldOf(option)];
    if (value === undefined || isDeepStrictEqual(value, defaultValue(option))) continue;
    if (option.value.kind === 'duration') out[option.name] = formatDuration(value as number);
    else if (option.value.kind === 'uri') out[option.name] = Array.isArray(value) ? value.map(redactedUri) : redactedUri(value as string);
    else out[option.name] = value;
  }
  return out;
}

function opEntry(op: OpSpec): unknown {
  // a flag without an argument: a bare name in the list
  if ((op.arg === true || op.arg === undefined) && !Object.keys(op.options).length) return op.op;
  return { [op.op]: op.arg, ...op.options };
}

/** Strings as a pipeline file writes them: there `${` starts a variable, and `$${` is a literal `${`. */
function literal(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', () => '$${'); // a function: '$$' in a replacement string is one '$'
  if (Array.isArray(value)) return value.map(literal);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
  return value;
}

export function toYaml(spec: PipelineSpec): string {
  const doc = new Document(literal({
    ...given(optionsIn('top'), spec),
    sources: Object.fromEntries(Object.entries(spec.sources).map(([name, s]) => [name, { in: s.in, ...given(optionsIn('source'), s) }])),
    streams: Object.fromEntries(
      Object.entries(spec.streams).map(([name, s]) => [name, { from: s.from.length === 1 ? s.from[0] : s.from, ops: s.ops.map(opEntry) }]),
    ),
    sinks: spec.sinks.map((s) => ({ from: s.from, out: s.out, ...given(optionsIn('sink'), s) })),
  }));
  // one line per source, sink and list of inputs, as in the examples
  const items = (key: string) => {
    const node = doc.get(key);
    return isMap(node) ? node.items.map((pair) => pair.value) : isSeq(node) ? node.items : [];
  };
  for (const source of items('sources')) setFlow(source);
  for (const stream of items('streams')) if (isMap(stream)) setFlow(stream.get('from', true));
  for (const sink of items('sinks')) setFlow(sink);
  return doc.toString({ lineWidth: 0 });
}

function setFlow(node: unknown): void {
  if (isSeq(node) || isMap(node)) (node as Node & { flow: boolean }).flow = true;
}
