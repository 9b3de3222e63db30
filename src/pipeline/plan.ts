// A pipeline spec compiled once into what the runtime builds, or every problem with it at once: each
// stream resolved once (its operators checked, every expression compiled once), the streams ordered
// by one walk of the graph, each stream's slide, and the fusions. `sluice run`, the flag chain,
// `sluice test`, `sluice explain` and lint all go through here.

import { formatDuration } from '../core/duration.ts';
import { didYouMean } from '../core/suggest.ts';
import { resolveOps, type ResolvedOp } from '../operators/chain.ts';
import { secondInputs } from '../operators/index.ts';
import { fuseFieldAccess, type FieldFusion } from './fuse.ts';
import { walk } from './graph.ts';
import type { OpSpec, PipelineSpec } from './pipeline.ts';

export interface PlannedStream {
  name: string;
  from: string[];
  ops: ResolvedOp[];
}

export interface Plan {
  spec: PipelineSpec;
  /** Every stream, each after those it reads. */
  streams: PlannedStream[];
  /** Sources whose decoder does the first operator of the stream they feed. */
  fusions: Map<string, FieldFusion>;
}

/** What a problem is about, so that a pipeline file can say where it is written. */
export type Where =
  /** a stream's name (from: absent) or the i-th entry of its `from` */
  | { stream: string; from?: number }
  /** the reference from `stream` to `input` (a `from` entry or a pair operator's argument) */
  | { stream: string; input: string }
  /** an operator's argument, or one of its options */
  | { op: OpSpec; option?: string }
  /** the `from` of the i-th sink */
  | { sink: number }
  /** top-level options that do not go together, by name: at the first written in the file */
  | { keys: string[] };

export interface PlanProblem {
  where: Where;
  /** Whole, with the path or label of what it is about: `streams.s.from: unknown stream 'x'`, `--map: ...`. */
  message: string;
  /** Where a syntax error is inside an expression's text. */
  inExpr?: { line: number; column: number };
}

export type Planned = { plan: Plan; problems: [] } | { plan?: undefined; problems: PlanProblem[] };

/** --once with --schedule: a schedule is --once passes already, so one of them was a mistake. */
export const ONCE_AND_SCHEDULE = '--once and --schedule: --schedule already makes a --once pass at each tick; give one of them';

export function plan(spec: PipelineSpec): Planned {
  const problems: PlanProblem[] = [];
  if (spec.once && spec.schedule) {
    problems.push({ where: { keys: ['once', 'schedule'] }, message: ONCE_AND_SCHEDULE });
  }
  const names = [...Object.keys(spec.sources), ...Object.keys(spec.streams)];
  for (const name of Object.keys(spec.streams)) {
    if (name in spec.sources) problems.push({ where: { stream: name }, message: `streams.${name}: '${name}' is already the name of a source` });
  }
  const known = (name: string, where: Where, what: string) => {
    if (names.includes(name)) return true;
    problems.push({ where, message: `${what}: unknown stream '${name}'${didYouMean(name, names)}` });
    return false;
  };
  let refsOk = true;
  for (const [name, stream] of Object.entries(spec.streams)) {
    stream.from.forEach((from, i) => (refsOk = known(from, { stream: name, from: i }, `streams.${name}.from`) && refsOk));
    for (const op of stream.ops) {
      for (const { stream, option } of secondInputs(op)) refsOk = known(stream, { op, option }, op.label) && refsOk;
    }
  }
  spec.sinks.forEach((sink, i) => known(sink.from, { sink: i }, `sinks[${i}].from`));

  const resolved = new Map<string, ResolvedOp[]>();
  let opsOk = true;
  for (const [name, stream] of Object.entries(spec.streams)) {
    const { ops, problems: found } = resolveOps(stream.ops, spec.batchMs);
    resolved.set(name, ops);
    for (const p of found) problems.push({ where: { op: p.at, option: p.option }, message: `${p.at.label}: ${p.message}`, inExpr: p.inExpr });
    opsOk &&= !found.length;
  }

  const { order, cycles } = walk(spec);
  for (const c of cycles) problems.push({ where: { stream: c.stream, input: c.input }, message: `streams.${c.stream}: ${c.message}` });
  // slides are only worth checking on a graph whose streams and operators are all there
  if (!cycles.length && refsOk && opsOk) {
    const slides = new Map<string, number>(Object.keys(spec.sources).map((name) => [name, spec.batchMs]));
    for (const name of order) slides.set(name, slideOf(spec, name, resolved.get(name)!, slides, problems));
  }
  if (problems.length) return { problems };
  const streams = order.map((name) => ({ name, from: spec.streams[name]!.from, ops: resolved.get(name)! }));
  return { plan: { spec, streams, fusions: fuseFieldAccess(spec) }, problems: [] };
}

/**
 * How often the stream emits a batch: its inputs' slide, until a window changes it. Inputs that are
 * unioned or joined must slide alike (Spark's rule), and a window must be a multiple of its input's slide.
 */
function slideOf(spec: PipelineSpec, name: string, ops: ResolvedOp[], slides: Map<string, number>, problems: PlanProblem[]): number {
  const stream = spec.streams[name]!;
  const every = (ms: number) => `every ${formatDuration(ms)}`;
  const fromSlides = stream.from.map((f) => slides.get(f)!);
  if (new Set(fromSlides).size > 1) {
    const list = stream.from.map((f, i) => `${f} ${every(fromSlides[i]!)}`).join(', ');
    problems.push({ where: { stream: name, from: 0 }, message: `streams.${name}.from: streams read together must emit alike, but ${list}` });
  }
  let slide = fromSlides[0] ?? spec.batchMs;
  for (const { ctx, spec: op } of ops) {
    // a session emits at every batch of its input
    if (ctx.window && ctx.window.sessionGapMs === undefined) {
      if (ctx.window.lengthMs % slide || ctx.window.slideMs % slide) {
        problems.push({ where: { op }, message: `${op.label}: its window must be a multiple of its input's slide: the input emits ${every(slide)}` });
      }
      slide = ctx.window.slideMs;
    }
    for (const { stream, option } of secondInputs(op)) {
      const other = slides.get(stream)!;
      if (other !== slide) problems.push({ where: { op, option }, message: `${op.label}: both sides must emit alike, but this stream emits ${every(slide)} and ${stream} ${every(other)}` });
    }
  }
  return slide;
}
