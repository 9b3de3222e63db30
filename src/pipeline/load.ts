// Loads a pipeline file in three steps: parse keeping positions, check everything (shape, keys,
// values, stream references, cycles, operators, window slides), build the PipelineSpec. Every
// problem is reported at once as FILE:LINE:COL: message; nothing is built from an invalid file.

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { formatDuration } from '../core/duration.ts';
import { operator, OPERATORS } from '../operators/index.ts';
import { inputsOf } from './inputs.ts';
import type { OpSpec, PipelineSpec, SinkSpec, SourceSpec, StreamSpec } from './pipeline.ts';
import { resolveOps } from './resolve.ts';
import { checkOption, defaultOf, fieldOf, optionsIn, SECTIONS, sinkKeys, STREAM_KEYS } from './schema.ts';
import { didYouMean } from '../core/suggest.ts';
import { NOT_SCALAR, YamlFile, type Entry } from './yaml-file.ts';

export interface LoadOptions {
  /** Variables for ${VAR}; the process environment by default. */
  env?: Record<string, string | undefined>;
  /** `--set KEY=VALUE` overrides of top-level options. */
  set?: string[];
}

export type Loaded = { spec: PipelineSpec; problems: [] } | { spec?: undefined; problems: string[] };

/** Where the parts of a pipeline are written, for messages about them. */
interface Places {
  from: Map<string, Node[]>;
  ops: Map<OpSpec, { entry: Node; arg: Node; options: Record<string, Node> }>;
  sinks: Map<SinkSpec, Node>;
}

export function loadPipeline(file: string, text: string, options: LoadOptions = {}): Loaded {
  const yaml = new YamlFile(file, text);
  const set = overrides(yaml, options.set ?? []);
  for (const key of set.keys()) yaml.drop(key);
  yaml.interpolate(options.env ?? process.env);
  const places: Places = { from: new Map(), ops: new Map(), sinks: new Map() };
  const spec = readPipeline(yaml, set, places);
  if (spec) checkGraph(yaml, spec, places);
  const problems = yaml.problems.list();
  return spec && !problems.length ? { spec, problems: [] } : { problems };
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
    if (top.some((o) => o.name === entry.key) || (SECTIONS as readonly string[]).includes(entry.key)) given.set(entry.key, entry);
    else yaml.problems.at(entry.keyNode, unknownKey(entry.key, 'the top level', [...top.map((o) => o.name), ...SECTIONS]));
  }

  const spec: Record<string, unknown> = {};
  for (const option of top) {
    const entry = given.get(option.name);
    const override = set.get(option.name);
    let value = defaultOf(option);
    if (override !== undefined) {
      const checked = checkOption(option, override);
      if ('error' in checked) yaml.problems.note(`--set ${option.name}`, checked.error);
      else value = checked.value;
    } else if (entry) {
      value = optionValue(yaml, option.name, entry, (raw) => checkOption(option, raw)) ?? value;
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
function optionValue(yaml: YamlFile, path: string, entry: Entry, check: (raw: unknown) => { value: unknown } | { error: string }): unknown {
  const raw = yaml.scalar(entry.value);
  const checked = raw === NOT_SCALAR ? { error: 'needs a single value, not a map or a list' } : check(raw);
  if ('value' in checked) return checked.value;
  yaml.problems.at(entry.value ?? entry.keyNode, `${path}: ${checked.error}`);
  return undefined;
}

/** The options of one source or sink, by their spec field, with defaults. */
function readOptions(yaml: YamlFile, scope: 'source' | 'sink', path: string, entries: Entry[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of optionsIn(scope)) {
    const entry = entries.find((e) => e.key === option.name);
    const value = entry ? optionValue(yaml, `${path}.${option.name}`, entry, (raw) => checkOption(option, raw)) : defaultOf(option);
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

/** Stream references, cycles, operators (expressions, windows), and that joined streams slide alike. */
function checkGraph(yaml: YamlFile, spec: PipelineSpec, places: Places): void {
  const names = [...Object.keys(spec.sources), ...Object.keys(spec.streams)];
  for (const name of Object.keys(spec.streams)) {
    if (name in spec.sources) yaml.problems.at(places.from.get(name)?.[0], `streams.${name}: '${name}' is already the name of a source`);
  }
  const known = (name: string, node: Node | undefined, what: string) => {
    if (names.includes(name)) return true;
    yaml.problems.at(node, `${what}: unknown stream '${name}'${didYouMean(name, names)}`);
    return false;
  };
  let refsOk = true;
  for (const [name, stream] of Object.entries(spec.streams)) {
    stream.from.forEach((from, i) => (refsOk = known(from, places.from.get(name)?.[i], `streams.${name}.from`) && refsOk));
    for (const op of stream.ops) {
      if (operator(op.op)?.arg.kind === 'stream' && typeof op.arg === 'string') refsOk = known(op.arg, places.ops.get(op)?.arg, op.label) && refsOk;
    }
  }
  spec.sinks.forEach((sink, i) => known(sink.from, places.sinks.get(sink), `sinks[${i}].from`));
  let opsOk = true;
  for (const stream of Object.values(spec.streams)) {
    for (const p of resolveOps(stream.ops, spec.batchMs).problems) {
      const place = places.ops.get(p.at);
      yaml.problems.at(p.option ? place?.options[p.option] : place?.arg, `${p.at.label}: ${p.message}`, p.inExpr);
      opsOk = false;
    }
  }
  if (!acyclic(yaml, spec, places) || !refsOk || !opsOk) return;
  const slides = new Map<string, number>(Object.keys(spec.sources).map((name) => [name, spec.batchMs]));
  for (const name of topological(spec)) slides.set(name, slideOf(yaml, spec, name, slides, places));
}

/** Report each cycle once, at the reference that closes it; true if there is none. */
function acyclic(yaml: YamlFile, spec: PipelineSpec, places: Places): boolean {
  const state = new Map<string, 'visiting' | 'done'>();
  let ok = true;
  const visit = (name: string, trail: string[]) => {
    const stream = spec.streams[name];
    if (!stream || state.get(name) === 'done') return;
    state.set(name, 'visiting');
    for (const input of inputsOf(stream)) {
      if (state.get(input) === 'visiting') {
        ok = false;
        // trail: each stream reads the next; shown the way records flow
        const cycle = [...trail.slice(trail.indexOf(input)), name, input].reverse();
        const message = input === name ? `stream '${name}' reads from itself` : `cycle: ${cycle.join(' -> ')} (each feeds the next)`;
        yaml.problems.at(referenceNode(spec, places, name, input), `streams.${name}: ${message}`);
      } else visit(input, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of Object.keys(spec.streams)) visit(name, []);
  return ok;
}

function referenceNode(spec: PipelineSpec, places: Places, stream: string, input: string): Node | undefined {
  const i = spec.streams[stream]!.from.indexOf(input);
  if (i >= 0) return places.from.get(stream)?.[i];
  const op = spec.streams[stream]!.ops.find((o) => o.arg === input && operator(o.op)?.arg.kind === 'stream');
  return op && places.ops.get(op)?.arg;
}

/** Streams after those they read (the graph is acyclic here). */
function topological(spec: PipelineSpec): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !spec.streams[name]) return;
    for (const input of inputsOf(spec.streams[name])) visit(input);
    order.push(name);
  };
  for (const name of Object.keys(spec.streams)) visit(name);
  return order;
}

/**
 * How often the stream emits a batch: its inputs' slide, until a window changes it. Inputs that are
 * unioned or joined must slide alike (Spark's rule), and a window must be a multiple of its input's slide.
 */
function slideOf(yaml: YamlFile, spec: PipelineSpec, name: string, slides: Map<string, number>, places: Places): number {
  const stream = spec.streams[name]!;
  const every = (ms: number) => `every ${formatDuration(ms)}`;
  const fromSlides = stream.from.map((f) => slides.get(f)!);
  if (new Set(fromSlides).size > 1) {
    const list = stream.from.map((f, i) => `${f} ${every(fromSlides[i]!)}`).join(', ');
    yaml.problems.at(places.from.get(name)?.[0], `streams.${name}.from: streams read together must emit alike, but ${list}`);
  }
  let slide = fromSlides[0] ?? spec.batchMs;
  for (const { def, ctx } of resolveOps(stream.ops, spec.batchMs).ops) {
    const op = stream.ops.find((o) => o.label === ctx.label)!;
    const place = places.ops.get(op)?.arg;
    if (ctx.window) {
      if (ctx.window.lengthMs % slide || ctx.window.slideMs % slide) {
        yaml.problems.at(place, `${op.label}: its window must be a multiple of its input's slide: the input emits ${every(slide)}`);
      }
      slide = ctx.window.slideMs;
    }
    if ('combine' in def && slides.get(op.arg as string) !== slide) {
      yaml.problems.at(place, `${op.label}: both sides must emit alike, but this stream emits ${every(slide)} and ${op.arg} ${every(slides.get(op.arg as string)!)}`);
    }
  }
  return slide;
}
