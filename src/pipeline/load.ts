// Loads a pipeline file in three steps: parse keeping positions, read the PipelineSpec checking its
// shape, keys and option values, then plan it (stream references, cycles, operators, window slides).
// Every problem is reported at once as FILE:LINE:COL: message; nothing is planned from an invalid file.

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { checkValue, defaultValue } from '../core/values.ts';
import { operator, OPERATORS, secondInputs } from '../operators/index.ts';
import { fieldOf, optionsIn, type OptionDef } from './options.ts';
import type { OpSpec, PipelineSpec, SinkSpec, SourceSpec, StreamSpec } from './pipeline.ts';
import { plan, type Plan, type Where } from './plan.ts';
import { SECTIONS, sinkKeys, STREAM_KEYS } from './schema.ts';
import { didYouMean } from '../core/suggest.ts';
import { NOT_SCALAR, YamlFile, type Entry } from './yaml-file.ts';

export interface LoadOptions {
  /** Variables for ${VAR}; the process environment by default. */
  env?: Record<string, string | undefined>;
  /** `--set KEY=VALUE` overrides of top-level options. */
  set?: string[];
}

export type Loaded = { plan: Plan; problems: [] } | { plan?: undefined; problems: string[] };

/** Where the parts of a pipeline are written, for messages about them. */
interface Places {
  /** Top-level options, by name: the key as written. */
  options: Map<string, Node>;
  from: Map<string, Node[]>;
  ops: Map<OpSpec, { entry: Node; arg: Node; options: Record<string, Node> }>;
  sinks: Map<SinkSpec, Node>;
}

export function loadPipeline(file: string, text: string, options: LoadOptions = {}): Loaded {
  const yaml = new YamlFile(file, text);
  const set = overrides(yaml, options.set ?? []);
  for (const key of set.keys()) yaml.drop(key);
  yaml.interpolate(options.env ?? process.env);
  const places: Places = { options: new Map(), from: new Map(), ops: new Map(), sinks: new Map() };
  const spec = readPipeline(yaml, set, places);
  const planned = spec && plan(spec);
  for (const p of planned?.problems ?? []) yaml.problems.at(placeOf(p.where, spec!, places), p.message, p.inExpr);
  const problems = yaml.problems.list();
  return planned?.plan && !problems.length ? { plan: planned.plan, problems: [] } : { problems };
}

/** `--set KEY=VALUE` pairs, checked to be top-level options. */
function overrides(yaml: YamlFile, set: string[]): Map<string, string> {
  const top = optionsIn('top').map((o) => o.name);
  const values = new Map<string, string>();
  for (const item of set) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0) yaml.problems.note('--set', `'${item}' needs the form KEY=VALUE`);
    else if (!top.includes(key)) yaml.problems.note('--set', `unknown key '${key}'${didYouMean(key, top)}`);
    else values.set(key, item.slice(eq + 1));
  }
  return values;
}

function readPipeline(yaml: YamlFile, set: Map<string, string>, places: Places): PipelineSpec | undefined {
  if (yaml.root === null && yaml.problems.count) return undefined;
  if (yaml.root === null || (isScalar(yaml.root) && yaml.root.value === null)) {
    yaml.problems.atOffset(0, 'empty pipeline: it needs sources, streams and sinks');
    return undefined;
  }
  if (!isMap(yaml.root)) {
    yaml.problems.at(yaml.root, 'pipeline: needs a map of options, sources, streams and sinks');
    return undefined;
  }
  const top = optionsIn('top');
  const given = new Map<string, Entry>();
  for (const entry of yaml.entries(yaml.root, 'pipeline', 'a map of options, sources, streams and sinks')) {
    if (top.some((o) => o.name === entry.key) || (SECTIONS as readonly string[]).includes(entry.key)) {
      given.set(entry.key, entry);
      places.options.set(entry.key, entry.keyNode);
    }
    else yaml.problems.at(entry.keyNode, unknownKey(entry.key, 'the top level', [...top.map((o) => o.name), ...SECTIONS]));
  }

  const spec: Record<string, unknown> = {};
  for (const option of top) {
    const entry = given.get(option.name);
    const override = set.get(option.name);
    let value = defaultValue(option);
    if (override !== undefined) {
      const checked = checkValue(option, override);
      if ('error' in checked) yaml.problems.note(`--set ${option.name}`, checked.error);
      else value = checked.value;
    } else if (entry) {
      value = optionValue(yaml, option.name, entry, option) ?? value;
    }
    spec[fieldOf(option)] = value;
  }
  for (const section of ['sources', 'sinks'] as const) {
    if (!given.has(section)) yaml.problems.atOffset(0, `pipeline: needs ${section}`);
  }
  spec.sources = given.has('sources') ? readSources(yaml, given.get('sources')!.value) : {};
  spec.streams = given.has('streams') ? readStreams(yaml, given.get('streams')!.value, places) : {};
  spec.sinks = given.has('sinks') ? readSinks(yaml, given.get('sinks')!.value, places) : [];
  // an empty section runs nothing and exits 0: surely not what was meant
  const sources = given.get('sources')?.value;
  const sinks = given.get('sinks')?.value;
  if (isMap(sources) && !sources.items.length) yaml.problems.at(sources, 'sources: is empty; a pipeline needs at least one');
  if (isSeq(sinks) && !sinks.items.length) yaml.problems.at(sinks, 'sinks: is empty; a pipeline needs at least one');
  return spec as unknown as PipelineSpec;
}

function unknownKey(key: string, where: string, known: readonly string[]): string {
  const misplaced = optionsIn('source').some((o) => o.name === key)
    ? ` ('${key}' goes in each source)`
    : optionsIn('sink').some((o) => o.name === key)
      ? ` ('${key}' goes in each sink)`
      : didYouMean(key, known);
  return `unknown key '${key}' at ${where}${misplaced}`;
}

/** A scalar option value, checked; a problem at its place otherwise. */
function optionValue(yaml: YamlFile, path: string, entry: Entry, option: OptionDef): unknown {
  const raw = yaml.scalar(entry.value);
  const checked = raw === NOT_SCALAR ? { error: 'needs a single value, not a map or a list' } : checkValue(option, raw);
  if ('value' in checked) return checked.value;
  yaml.problems.at(entry.value ?? entry.keyNode, `${path}: ${checked.error}`);
  return undefined;
}

/** The options of one source or sink, by their spec field, with defaults. */
function readOptions(yaml: YamlFile, scope: 'source' | 'sink', path: string, entries: Entry[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of optionsIn(scope)) {
    const entry = entries.find((e) => e.key === option.name);
    const value = entry ? optionValue(yaml, `${path}.${option.name}`, entry, option) : defaultValue(option);
    if (value !== undefined) values[fieldOf(option)] = value;
  }
  return values;
}

function readSources(yaml: YamlFile, node: Node | null): Record<string, SourceSpec> {
  const sources: Record<string, SourceSpec> = {};
  const keys = optionsIn('source').map((o) => o.name);
  for (const { key: name, value } of yaml.entries(node, 'sources', 'a map of named sources, e.g. logs: { in: access.log, parse: clf }')) {
    const path = `sources.${name}`;
    const entries = yaml.entries(value, path, `a map of ${keys.join(', ')}`);
    for (const e of entries) if (!keys.includes(e.key)) yaml.problems.at(e.keyNode, unknownKey(e.key, path, keys));
    sources[name] = readOptions(yaml, 'source', path, entries) as unknown as SourceSpec;
  }
  return sources;
}

function readStreams(yaml: YamlFile, node: Node | null, places: Places): Record<string, StreamSpec> {
  const streams: Record<string, StreamSpec> = {};
  if (node === null) return streams;
  for (const { key: name, value } of yaml.entries(node, 'streams', 'a map of named streams, each with from and ops')) {
    const path = `streams.${name}`;
    const stream: StreamSpec = { from: [], ops: [] };
    const entries = yaml.entries(value, path, 'a map with from and ops');
    for (const e of entries) {
      if (e.key === 'from') stream.from = readFrom(yaml, `${path}.from`, e, places, name);
      else if (e.key === 'ops') stream.ops = readOps(yaml, `${path}.ops`, e.value, places);
      else yaml.problems.at(e.keyNode, unknownKey(e.key, path, STREAM_KEYS));
    }
    if (isMap(value) && !entries.some((e) => e.key === 'from')) yaml.problems.at(value, `${path}: needs from (a source or stream, or a list of them)`);
    streams[name] = stream;
  }
  return streams;
}

/** A source or stream name as written where one is read: names are map keys, so 1 and "1" are one name. */
function nameOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value ? value : undefined;
}

function readFrom(yaml: YamlFile, path: string, entry: Entry, places: Places, stream: string): string[] {
  const raw = yaml.scalar(entry.value);
  const nodes = raw === NOT_SCALAR ? yaml.items(entry.value, path, 'a name or a list of names') : [entry.value];
  if (raw === NOT_SCALAR && isSeq(entry.value) && !nodes.length) yaml.problems.at(entry.value, `${path}: needs the name of a source or stream (an empty list reads nothing)`);
  const names: string[] = [];
  for (const node of nodes) {
    const name = nameOf(yaml.scalar(node));
    if (name === undefined) yaml.problems.at(node ?? entry.keyNode, `${path}: needs the name of a source or stream`);
    else names.push(name);
  }
  places.from.set(stream, nodes.filter((n): n is Node => n !== null));
  return names;
}

function readOps(yaml: YamlFile, path: string, node: Node | null, places: Places): OpSpec[] {
  const ops: OpSpec[] = [];
  const known = OPERATORS.map((o) => o.name);
  for (const [i, item] of yaml.items(node, path, 'a list of operators, e.g. - map: x.status').entries()) {
    const at = `${path}[${i}]`;
    // a bare name (`- count`) is an operator without an argument
    const bare = yaml.scalar(item);
    const entries: Entry[] = typeof bare === 'string' && item ? [{ key: bare, keyNode: item, value: null }] : yaml.entries(item, at, 'an operator, e.g. map: x.status');
    const opKeys = entries.filter((e) => operator(e.key));
    if (opKeys.length !== 1) {
      if (opKeys.length > 1) yaml.problems.at(opKeys[1]!.keyNode, `${at}: one operator per entry: '${opKeys[0]!.key}' and '${opKeys[1]!.key}' are two list items`);
      else if (entries.length) yaml.problems.at(entries[0]!.keyNode, `${at}: unknown operator '${entries[0]!.key}'${didYouMean(entries[0]!.key, known)}`);
      continue;
    }
    const opEntry = opKeys[0]!;
    const spec: OpSpec = { op: opEntry.key, arg: true, options: {}, label: `${at} (${opEntry.key})` };
    const optionNodes: Record<string, Node> = {};
    const collections = entries.filter((e) => yaml.scalar(e.value) === NOT_SCALAR);
    for (const e of collections) yaml.problems.at(e.value, `${spec.label}: ${e.key} needs a single value: quote an expression that is a list or an object`);
    if (collections.length) continue;
    for (const e of entries) {
      const raw = yaml.scalar(e.value);
      if (e === opEntry) spec.arg = raw === null ? true : raw;
      else {
        spec.options[e.key] = raw;
        optionNodes[e.key] = e.value ?? e.keyNode;
      }
    }
    places.ops.set(spec, { entry: opEntry.keyNode, arg: opEntry.value ?? opEntry.keyNode, options: optionNodes });
    ops.push(spec);
  }
  return ops;
}

function readSinks(yaml: YamlFile, node: Node | null, places: Places): SinkSpec[] {
  const sinks: SinkSpec[] = [];
  const keys = sinkKeys();
  for (const [i, item] of yaml.items(node, 'sinks', 'a list of sinks, e.g. - { from: counts, out: "-" }').entries()) {
    const path = `sinks[${i}]`;
    const entries = yaml.entries(item, path, `a map of ${keys.join(', ')}`);
    for (const e of entries) if (!keys.includes(e.key)) yaml.problems.at(e.keyNode, unknownKey(e.key, path, keys));
    const from = entries.find((e) => e.key === 'from');
    const name = from && nameOf(yaml.scalar(from.value));
    if (!from || name === undefined) {
      if (isMap(item)) yaml.problems.at(from?.value ?? item, `${path}: needs from (the stream to write)`);
      continue;
    }
    const sink = { from: name, ...readOptions(yaml, 'sink', path, entries) } as unknown as SinkSpec;
    places.sinks.set(sink, from.value!);
    sinks.push(sink);
  }
  return sinks;
}

/** Where a problem of the plan is written in the file. */
function placeOf(where: Where, spec: PipelineSpec, places: Places): Node | undefined {
  if ('keys' in where) return where.keys.map((key) => places.options.get(key)).find((node) => node !== undefined);
  if ('sink' in where) return places.sinks.get(spec.sinks[where.sink]!);
  if ('op' in where) {
    const place = places.ops.get(where.op);
    return where.option ? place?.options[where.option] : place?.arg;
  }
  if ('input' in where) {
    const stream = spec.streams[where.stream]!;
    const i = stream.from.indexOf(where.input);
    if (i >= 0) return places.from.get(where.stream)?.[i];
    for (const op of stream.ops) {
      const input = secondInputs(op).find((i) => i.stream === where.input);
      if (input) return input.option ? places.ops.get(op)?.options[input.option] : places.ops.get(op)?.arg;
    }
    return undefined;
  }
  return places.from.get(where.stream)?.[where.from ?? 0];
}
