// Builds a runnable graph from a checked pipeline: sinks first, then streams from the last to the
// first, so each stage is created knowing the stage after it.

import { rangeDecoder } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import type { OpContext, Stateful } from '../operators/operator.ts';
import type { ResolvedOp } from '../pipeline/resolve.ts';
import { inputsOf } from '../pipeline/inputs.ts';
import type { PipelineSpec, SinkSpec, SourceSpec } from '../pipeline/pipeline.ts';
import { renderer } from '../io/render/format.ts';
import { createSink } from '../io/sinks/index.ts';
import type { Sink, SinkOptions } from '../io/sinks/sink.ts';
import { createSource } from '../io/sources/index.ts';
import type { Source } from '../io/sources/source.ts';
import { fuseFieldAccess } from '../pipeline/fuse.ts';
import { Intake } from './intake.ts';
import { IoError, messageOf } from '../core/errors.ts';
import { OnError } from '../core/on-error.ts';
import { Pressure } from '../core/pressure.ts';
import { aggregateStage, fanIn, pairStage, tee, type Downstream } from '../core/stream.ts';
import { windowStage } from '../operators/window-stage.ts';

export interface Graph {
  /** Each source, by its name in the pipeline, with the intake it feeds. */
  inputs: { name: string; source: Source; intake: Intake; maxRate?: number }[];
  /** Open batch `time` everywhere. */
  begin(time: number): void;
  /** Close the open batch (the last one, when the input has ended); resolves once every sink has handled it. */
  end(inputEnded?: boolean): Promise<void>;
  /** Records that reached sinks since the last call. */
  takeRecordsOut(): number;
  close(): Promise<void>;
  /** The run failed: sinks drop the unfinished batch. */
  abort(): void;
  /** State of the operators that carry it across batches, by a stable id (stream, position, name). */
  stateful: Map<string, Stateful>;
  pressure: Pressure;
}

/** Where a graph's sources and sinks come from; `sluice test` swaps in the batches of its test file. */
export interface GraphIo {
  source(name: string, spec: SourceSpec): Source;
  sink(spec: SinkSpec, options: SinkOptions): Sink;
}

const uriIo: GraphIo = {
  source: (_name, s) => createSource(s.in),
  sink: (s, options) => createSink(s.out, options),
};

/** What a chain of operators is built with, beyond the operators themselves. */
export interface ChainEnv {
  /** Receives the state of operators that have some, by their index in the chain. */
  keep?: (index: number, state: Stateful) => void;
  /** The other input of a pair operator (a join), to be fed by the stream it names. */
  second?: (stream: string, input: Downstream) => void;
  pressure?: Pressure;
  onError?: OnError;
  /** True while the last batch closes because the input has ended. */
  inputEnded?: () => boolean;
}

/** Chain operators in front of `next`. */
export function buildChain(ops: ResolvedOp[], next: Downstream, env: ChainEnv = {}): Downstream {
  const pressure = env.pressure ?? new Pressure();
  const onError = env.onError ?? new OnError('fail');
  const inputEnded = env.inputEnded ?? (() => false);
  let head = next;
  for (let i = ops.length - 1; i >= 0; i--) {
    const ctx: OpContext = { ...ops[i]!.ctx, pressure, onError, inputEnded, keep: (state) => env.keep?.(i, state) };
    const def = ops[i]!.def;
    if ('stage' in def) head = def.stage(ctx, head);
    else if ('aggregate' in def) {
      const agg = def.aggregate(ctx);
      const inner = ops[i]!.inner;
      head = ctx.window ? windowStage(agg, ctx, head, inner && ((into) => buildChain(inner, into, env))) : aggregateStage(agg, head);
    } else if ('combine' in def) {
      if (!env.second) throw new Error(`${ctx.label}: a second stream needs a pipeline`);
      const { left, right } = pairStage(def.combine(ctx), head);
      env.second(ctx.arg as string, right);
      head = left;
    } else if ('parallel' in def) {
      // it takes over the per-record operators right after it, built above: rebuild from there
      let end = i + 1;
      while (end < ops.length && ops[end]!.def.group === 'stateless' && 'stage' in ops[end]!.def) end++;
      const rest = buildChain(ops.slice(end), next, { ...env, keep: (j, state) => env.keep?.(end + j, state) });
      head = def.parallel(ctx, ops.slice(i + 1, end).map((op) => op.spec), rest);
    }
  }
  return head;
}

export function buildGraph(spec: PipelineSpec, streams: Record<string, ResolvedOp[]>, onError: OnError, io: GraphIo = uriIo): Graph {
  let recordsOut = 0;
  let inputEnded = false;
  const stateful = new Map<string, Stateful>();
  const pressure = new Pressure();
  const sinks: Sink[] = [];
  const consumers = new Map<string, Downstream[]>();
  const feed = (from: string, d: Downstream) => consumers.set(from, [...(consumers.get(from) ?? []), d]);

  for (const s of spec.sinks) {
    const sink = io.sink(s, { render: renderer(s.format), withTime: s.withTime, print: s.print, pressure });
    sinks.push(sink);
    feed(s.from, guardSink(sink, s.out, onError, () => recordsOut++));
  }
  const fusions = fuseFieldAccess(spec);
  const fusedStreams = new Set([...fusions.values()].map((f) => f.stream));
  for (const name of streamOrder(spec).reverse()) {
    const stream = spec.streams[name]!;
    const skip = fusedStreams.has(name) ? 1 : 0; // the source's decoder does the first operator
    const ops = streams[name]!;
    const keep = (i: number, state: Stateful) => stateful.set(`${name}/${i + skip}/${ops[i + skip]!.def.name}`, state);
    const head = fanIn(stream.from.length, buildChain(ops.slice(skip), tee(consumers.get(name) ?? []), { keep, second: feed, pressure, onError, inputEnded: () => inputEnded }));
    for (const from of stream.from) feed(from, head);
  }

  const roots: Downstream[] = [];
  const inputs = Object.entries(spec.sources).map(([name, s]) => {
    const root = tee(consumers.get(name) ?? []);
    roots.push(root);
    const source = io.source(name, s);
    const decoder = fusions.get(name)?.decoder ?? rangeDecoder(s.parse ? createDecoder(s.parse) : undefined);
    return { name, source, intake: new Intake(source.label, decoder, root, onError), maxRate: s.maxRate };
  });

  return {
    inputs,
    stateful,
    pressure,
    begin(time) {
      for (const root of roots) root.begin(time);
    },
    async end(ended = false) {
      inputEnded = ended;
      for (const root of roots) await root.end();
    },
    takeRecordsOut() {
      const n = recordsOut;
      recordsOut = 0;
      return n;
    },
    async close() {
      for (const sink of sinks) await sink.close();
    },
    abort() {
      for (const sink of sinks) sink.abort?.();
    },
  };
}

/**
 * A sink as the graph sees it: counts records, and when the sink fails a batch (after its own
 * retries) applies --on-error: fail the run (nothing is checkpointed, a restart redoes the batch),
 * or skip / dead-letter each of the batch's records with the error.
 */
function guardSink(sink: Sink, uri: string, onError: OnError, counted: () => void): Downstream {
  const keep = onError.mode !== 'fail';
  let batch: unknown[] = [];
  const failed = (err: unknown) => {
    const reason = `${uri}: ${messageOf(err)}`;
    if (!keep) throw new IoError(reason, { cause: err });
    for (const rec of batch) onError.bad(reason, uri, rec, err);
    batch = [];
  };
  return {
    begin(time) {
      batch = [];
      sink.begin(time);
    },
    push(rec) {
      counted();
      if (keep) batch.push(rec);
      sink.push(rec);
    },
    end() {
      try {
        const done = sink.end();
        if (!done) return void (batch = []);
        return done.then(() => void (batch = []), failed);
      } catch (err) {
        failed(err);
      }
    },
  };
}

/** Streams in an order where each comes after those it reads from (the pipeline is checked acyclic). */
export function streamOrder(spec: PipelineSpec): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !spec.streams[name]) return;
    seen.add(name);
    for (const from of inputsOf(spec.streams[name])) visit(from);
    order.push(name);
  };
  for (const name of Object.keys(spec.streams)) visit(name);
  return order;
}
