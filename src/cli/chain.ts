// Parses a flag chain (`sluice -b 1s --map E --count-by-value`) into a pipeline: one stream from
// every -i source through the operators, in command-line order, to every -o sink.

import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { checkValue, defaultValue, metavarOf, type ValueKind } from '../core/values.ts';
import { OPERATORS } from '../operators/index.ts';
import type { OperatorDef } from '../operators/operator.ts';
import { fieldOf, flagKeyOf, optionsIn, OPTIONS, type OptionDef } from '../pipeline/options.ts';
import type { OpSpec, PipelineSpec, SinkSpec, SourceSpec } from '../pipeline/pipeline.ts';
import { plan, type Plan } from '../pipeline/plan.ts';

const GROUPS: Record<OperatorDef['group'], string> = {
  stateless: 'Operators (per record):',
  aggregate: 'Operators (per batch):',
  window: 'Windows:',
  state: 'State:',
  join: 'Joins:',
  model: 'Machine learning (MLlib):',
};

function metavar(value: ValueKind): string {
  const name = metavarOf(value);
  return name && ` <${name}>`;
}

/** What follows `sluice` in a flag chain, as help and the man page show it. */
export const CHAIN_USAGE = '[OPTIONS] [OPERATOR FLAGS...]';

/** A core option as a commander flag, without its default (`sluice run FILE --once` overrides only what is given). */
export function coreOption(o: OptionDef): Option {
  const name = metavarOf(o.value);
  const option = new Option(`${o.short ? `-${o.short}, ` : ''}--${o.name}${name && (o.bareValue ? ` [${name}]` : ` <${name}>`)}`, o.summary);
  if (o.value.kind === 'choice') option.choices(o.value.choices);
  return option;
}

/** The commander program for the flag chain; `ops` receives operators in the order given. */
export function chainProgram(ops: OpSpec[]): Command {
  const program = new Command('sluice');
  for (const o of OPTIONS) {
    const option = coreOption(o).helpGroup('Options:');
    if (o.default !== undefined) option.default(o.repeat ? [o.default] : o.default);
    if (o.repeat) option.argParser((v: string, prev: string[]) => (prev === option.defaultValue ? [v] : [...prev, v]));
    program.addOption(option);
  }
  const optionOwners = new Map<string, OperatorDef[]>();
  for (const def of OPERATORS) {
    if (def.kind === 'pair') continue; // a second input needs named streams: pipeline files only
    program.addOption(new Option(`--${def.name}${metavar(def.arg)}`, def.summary).helpGroup(GROUPS[def.group]));
    program.on(`option:${def.name}`, (value: unknown) => ops.push({ op: def.name, arg: value, options: {}, label: `--${def.name}` }));
    for (const [name, opt] of Object.entries(def.options ?? {})) {
      if (opt.arg.kind === 'stream') continue; // names another stream (predict-on): pipeline files only
      if (!optionOwners.has(name)) {
        optionOwners.set(name, []);
        program.addOption(new Option(`--${name}${metavar(opt.arg)}`, opt.summary).helpGroup(GROUPS[def.group]));
      }
      optionOwners.get(name)!.push(def);
    }
  }
  for (const [name, owners] of optionOwners) {
    program.on(`option:${name}`, (value: unknown) => {
      const last = ops.at(-1);
      if (!last || !owners.some((d) => d.name === last.op)) {
        throw new UsageError(`--${name} must follow ${owners.map((d) => `--${d.name}`).join(' or ')}`);
      }
      last.options[name] = value ?? true; // a flag that takes no value (--state-snapshots)
    });
  }
  return program;
}

/**
 * An option's value as the spec keeps it, checked as a pipeline file's is; its default when not
 * given, or when what was given is wrong (added to `problems`, so that every one is reported).
 */
function optionValue(option: OptionDef, given: unknown, problems: string[]): unknown {
  if (given === undefined) return defaultValue(option);
  const checked = checkValue(option, given === true && option.bareValue ? option.bareValue : given);
  if ('value' in checked) return checked.value;
  problems.push(`--${option.name}: ${checked.error}`);
  return defaultValue(option);
}

/** The options of one scope, by their spec field; `skip` those the caller sets itself. */
function optionValues(opts: Record<string, unknown>, scope: 'top' | 'source' | 'sink', skip: string, problems: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of optionsIn(scope)) {
    if (option.name !== skip) values[fieldOf(option)] = optionValue(option, opts[flagKeyOf(option)], problems);
  }
  return values;
}

/** Parse `argv` (without the program name) into a pipeline; throws a UsageError with every problem of the flags. */
export function parseChain(argv: string[]): PipelineSpec {
  const ops: OpSpec[] = [];
  const program = chainProgram(ops).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      throw new UsageError(err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)'));
    }
    throw err;
  }
  const o = program.opts();
  const problems: string[] = [];
  const top = optionValues(o, 'top', '', problems) as Omit<PipelineSpec, 'sources' | 'streams' | 'sinks'>;
  const ins = (o.in as string[]).map((uri) => optionValue(OPTIONS.find((d) => d.name === 'in')!, uri, problems) as string);
  const outs = (o.out as string[]).map((uri) => optionValue(OPTIONS.find((d) => d.name === 'out')!, uri, problems) as string);
  const source = optionValues(o, 'source', 'in', problems);
  const sink = optionValues(o, 'sink', 'out', problems) as Omit<SinkSpec, 'from' | 'out'>;
  if (sink.print !== undefined && !outs.includes('-')) {
    problems.push("--print writes Spark's layout to stdout, and no -o is stdout: add -o - or leave --print out");
  }
  const sources = Object.fromEntries(ins.map((uri, i) => [`in${i + 1}`, { in: uri, ...source } as SourceSpec]));
  const spec: PipelineSpec = {
    ...top,
    sources,
    streams: { main: { from: Object.keys(sources), ops } },
    sinks: outs.map((out) => ({ from: 'main', out, ...sink, print: out === '-' ? sink.print : undefined })),
  };
  if (problems.length) {
    // the operators' problems too, unless a bad --batch would make their windows' problems wrong
    const planned = 'value' in checkValue(OPTIONS.find((d) => d.name === 'batch')!, o.batch) ? plan(spec).problems : [];
    throw new UsageError([...problems, ...planned.map((p) => p.message)].join('\n'));
  }
  return spec;
}

/** The plan of a flag chain; its problems, all at once, are a usage error. */
export function planChain(spec: PipelineSpec): Plan {
  const planned = plan(spec);
  if (!planned.plan) throw new UsageError(planned.problems.map((p) => p.message).join('\n'));
  return planned.plan;
}
