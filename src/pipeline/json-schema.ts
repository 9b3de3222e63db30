// The JSON Schema of pipeline files (`sluice schema`), for editors' completion and checking;
// generated from the option table and the operator registry, like everything else about the file.

import type { OptionDef } from './options.ts';
import { OPERATORS } from '../operators/index.ts';
import type { ArgSpec } from '../operators/operator.ts';
import { optionsIn } from './schema.ts';

type Schema = Record<string, unknown>;

const DURATION = '^\\d+(\\.\\d+)?(ms|s|m|h|d)$';

function optionSchema(option: OptionDef): Schema {
  const base: Schema = { description: option.summary };
  if (option.default !== undefined) base.default = option.default;
  if (!option.metavar) return { ...base, type: 'boolean' };
  if (option.choices) return { ...base, enum: [...option.choices] };
  if (option.type === 'duration') return { ...base, type: 'string', pattern: DURATION };
  if (option.type === 'int') return { ...base, type: 'integer', minimum: option.min ?? 0 };
  return { ...base, type: 'string' };
}

function argSchema(arg: ArgSpec, description: string): Schema {
  switch (arg.kind) {
    case 'none':
      return { description, type: ['null', 'boolean'] };
    case 'int':
      return { description, type: ['integer', 'string'], minimum: arg.min };
    case 'duration':
      return { description, type: 'string', pattern: DURATION };
    case 'window':
      return { description, type: 'string', pattern: `^${DURATION.slice(1, -1)}(/${DURATION.slice(1, -1)})?$` };
    case 'expr':
    case 'value':
      return { description, type: ['string', 'number', 'boolean'] };
    default:
      return { description, type: 'string' };
  }
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
        [def.name]: argSchema(def.arg, def.summary),
        ...Object.fromEntries(options.map(([name, o]) => [name, argSchema(o.arg, o.summary)])),
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
