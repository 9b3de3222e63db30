// Parses a flag chain (`sluice -b 1s --map E --count-by-value`) into a pipeline: one stream from
// every -i source through the operators, in command-line order, to every -o sink.

import { Command, CommanderError, Option } from 'commander';
import { parseDuration } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { OPERATORS } from '../operators/index.ts';
import type { ArgSpec, OperatorDef } from '../operators/operator.ts';
import type { Format } from '../io/render/format.ts';
import type { OpSpec, PipelineSpec } from '../pipeline/pipeline.ts';
import { checkOption } from '../pipeline/schema.ts';
import { OPTIONS } from '../pipeline/options.ts';

const GROUPS: Record<OperatorDef['group'], string> = {
  stateless: 'Operators (per record):',
  aggregate: 'Operators (per batch):',
  window: 'Windows:',
  state: 'State:',
  join: 'Joins:',
};

function metavar(arg: ArgSpec): string {
  return arg.kind === 'none' ? '' : ` <${arg.metavar ?? 'VALUE'}>`;
}

/** The commander program for the flag chain; `ops` receives operators in the order given. */
export function chainProgram(ops: OpSpec[]): Command {
  const program = new Command('sluice');
  for (const o of OPTIONS) {
    const flags = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.metavar ? (o.optionalValue ? ` [${o.metavar}]` : ` <${o.metavar}>`) : ''}`;
    const option = new Option(flags, o.summary).helpGroup('Options:');
    if (o.default !== undefined) option.default(o.repeat ? [o.default] : o.default);
    if (o.choices) option.choices(o.choices);
    if (o.repeat) option.argParser((v: string, prev: string[]) => (prev === option.defaultValue ? [v] : [...prev, v]));
    program.addOption(option);
  }
  const optionOwners = new Map<string, OperatorDef[]>();
  for (const def of OPERATORS) {
    if ('combine' in def) continue; // a second input needs named streams: pipeline files only
    program.addOption(new Option(`--${def.name}${metavar(def.arg)}`, def.summary).helpGroup(GROUPS[def.group]));
    program.on(`option:${def.name}`, (value: unknown) => ops.push({ op: def.name, arg: value, options: {}, label: `--${def.name}` }));
    for (const [name, opt] of Object.entries(def.options ?? {})) {
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

function durationOption(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (typeof ms !== 'number') throw new UsageError(`${flag}: ${ms.error}`);
  return ms;
}

/** A source option's value checked as a pipeline file's is (a codec, a whole number); undefined when not given. */
function sourceOption(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const checked = checkOption(OPTIONS.find((o) => o.name === name)!, text);
  if ('error' in checked) throw new UsageError(`--${name}: ${checked.error}`);
  return checked.value;
}

/** Parse `argv` (without the program name) into a pipeline; throws UsageError. */
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
  const batchMs = durationOption('--batch', o.batch);
  let print: number | undefined;
  if (o.print !== undefined) {
    print = o.print === true ? 10 : Number(o.print);
    if (!Number.isInteger(print) || print < 0) throw new UsageError(`--print: needs a whole number, not '${o.print}'`);
  }
  const parse = sourceOption('parse', o.parse) as string | undefined;
  const maxRate = sourceOption('max-rate', o.maxRate) as number | undefined;
  if (print !== undefined && !(o.out as string[]).includes('-')) {
    throw new UsageError("--print writes Spark's layout to stdout, and no -o is stdout: add -o - or leave --print out");
  }
  const sources = Object.fromEntries((o.in as string[]).map((uri, i) => [`in${i + 1}`, { in: uri, parse, maxRate }]));
  return {
    batchMs,
    onError: o.onError,
    verbose: Boolean(o.verbose),
    quiet: Boolean(o.quiet),
    checkpoint: o.checkpoint,
    adaptiveRate: Boolean(o.adaptiveRate),
    shutdownTimeoutMs: o.shutdownTimeout === undefined ? undefined : durationOption('--shutdown-timeout', o.shutdownTimeout),
    once: Boolean(o.once),
    schedule: o.schedule,
    sources,
    streams: { main: { from: Object.keys(sources), ops } },
    sinks: (o.out as string[]).map((out) => ({
      from: 'main',
      out,
      format: o.format as Format,
      print: out === '-' ? print : undefined,
      withTime: Boolean(o.withTime),
    })),
  };
}
