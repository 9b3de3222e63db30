// The JSON Schema of pipeline files (`sluice schema`), for editors' completion and checking;
// generated from the option table and the operator registry, like everything else about the file.

import { valueSchema } from '../core/values.ts';
import { optionsIn, type OptionDef } from './options.ts';
import { OPERATORS } from '../operators/index.ts';
import { SINKS } from '../io/sinks/index.ts';
import { SOURCES } from '../io/sources/index.ts';
import type { UriDef } from '../io/uri.ts';

type Schema = Record<string, unknown>;

/** The URIs an option takes, for its description: each scheme with its parameters. */
const URIS: Record<string, readonly UriDef[]> = { in: SOURCES, out: SINKS };

function optionSchema(option: OptionDef): Schema {
  const schema = valueSchema(option);
  const defs = URIS[option.name];
  if (defs) schema.description = `${option.summary}: ${defs.map((d) => [d.usage, ...(d.params ?? []).map((p) => `?${p.name}=`)].join(' ')).join('; ')}`;
  return schema;
}

function section(options: OptionDef[], extra: Schema = {}, required: string[] = []): Schema {
  const properties = { ...extra, ...Object.fromEntries(options.map((o) => [o.name, optionSchema(o)])) };
  return { type: 'object', properties, required, additionalProperties: false };
}

export function jsonSchema(): Schema {
  const ops = OPERATORS.flatMap((def): Schema[] => {
    const options = Object.entries(def.options ?? {});
    const entry: Schema = {
      type: 'object',
      description: def.summary,
      properties: {
        [def.name]: valueSchema({ value: def.arg, summary: def.summary }),
        ...Object.fromEntries(options.map(([name, o]) => [name, valueSchema({ value: o.arg, summary: o.summary })])),
      },
      required: [def.name, ...options.filter(([, o]) => o.required).map(([name]) => name)],
      additionalProperties: false,
    };
    return def.arg.kind === 'none' ? [entry, { const: def.name, description: def.summary }] : [entry];
  });
  const names = { type: 'string', minLength: 1 };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'sluice pipeline',
    description: 'A DAG of named streams: sources feed streams, streams feed streams and sinks, once per batch.',
    ...section(
      optionsIn('top'),
      {
        sources: { type: 'object', description: 'named sources', minProperties: 1, additionalProperties: section(optionsIn('source')) },
        streams: {
          type: 'object',
          description: 'named streams, each read from sources or streams through a list of operators',
          additionalProperties: {
            type: 'object',
            properties: {
              from: { description: 'a source or stream; several are a union', oneOf: [names, { type: 'array', items: names, minItems: 1 }] },
              ops: { type: 'array', items: { oneOf: ops } },
            },
            required: ['from'],
            additionalProperties: false,
          },
        },
        sinks: { type: 'array', minItems: 1, items: section(optionsIn('sink'), { from: { ...names, description: 'the stream to write' } }, ['from']) },
      },
      ['sources', 'sinks'],
    ),
  };
}
