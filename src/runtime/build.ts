// Builds a runnable graph from a plan: sinks first, then streams from the last to the first, so
// each stage is created knowing the stage after it.

import { rangeDecoder } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { buildChain } from '../operators/chain.ts';
import type { Stateful } from '../operators/operator.ts';
import type { SinkSpec, SourceSpec } from '../pipeline/pipeline.ts';
import type { Plan } from '../pipeline/plan.ts';
import { RenderError, renderer } from '../io/render/format.ts';
import { createSink } from '../io/sinks/index.ts';
import { redactedUri } from '../io/uri.ts';
import type { Sink, SinkOptions } from '../io/sinks/sink.ts';
import { createSource } from '../io/sources/index.ts';
import type { Source } from '../io/sources/source.ts';
import { Intake } from './intake.ts';
import { BadRecordError, IoError, SinkRefusedError, UsageError, reasonOf } from '../core/errors.ts';
import { note } from '../core/report.ts';
import { OnError } from '../core/on-error.ts';
import { Pressure } from '../core/pressure.ts';
import { setBatchTime } from '../core/expr.ts';
import { fanIn, tee, type Downstream } from '../core/stream.ts';

export interface Graph {
  /** Each source, by its name in the pipeline, with the intake it feeds. */
  inputs: { name: string; source: Source; intake: Intake; maxRate?: number }[];
  /** Open batch `time` everywhere. */
  begin(time: number): void;
  /** Close the open batch (the last one, when the input has ended); resolves once every sink has handled it. */
  end(last?: boolean): Promise<void>;
  /** Records that reached sinks since the last call. */
  takeRecordsOut(): number;
  /** Records along each edge (`from->to`, a sink being `sink:N`) since the last call, when built with countEdges. */
  takeEdgeCounts?(): Record<string, number>;
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

export const uriIo: GraphIo = {
  source: (_name, s) => createSource(s.in),
  sink: (s, options) => createSink(s.out, options),
};

/** What the graph's intakes and sinks tell whoever runs it: the engine's flow control. */
export interface GraphHooks {
  /** Input `i` took in or held a piece of text. */
  afterText?: (i: number) => void;
  /** The first error that must end the run (a bad record in `fail` mode). */
  onFail?: (err: unknown) => void;
  /** Sinks started (true) or stopped (false) holding the sources back. */
  onPressure?: (held: boolean) => void;
  /** Count the records along every edge (the web UI's graph); off, no edge costs anything. */
  countEdges?: boolean;
}

/** `checkpointId`: the --checkpoint run's identity, for sinks that record the batches they wrote. */
export function buildGraph(plan: Plan, onError: OnError, io: GraphIo = uriIo, hooks: GraphHooks = {}, checkpointId?: string): Graph {
  const { spec, fusions } = plan;
  let recordsOut = 0;
  const stateful = new Map<string, Stateful>();
  const pressure = new Pressure(hooks.onPressure);
  const sinks: Sink[] = [];
  const consumers = new Map<string, Downstream[]>();
  const edges: EdgeCounter[] | undefined = hooks.countEdges ? [] : undefined;
  const feed = (from: string, to: string, d: Downstream) => {
    const counted = edges ? countingEdge(edges, `${from}->${to}`, d) : d;
    consumers.set(from, [...(consumers.get(from) ?? []), counted]);
  };

  spec.sinks.forEach((s, i) => {
    const label = redactedUri(s.out);
    let sink: Sink;
    try {
      sink = io.sink(s, { render: renderer(s.format), withTime: s.withTime, print: s.print, pressure, encoding: spec.encoding, onError, checkpointId });
    } catch (err) {
      if (err instanceof UsageError) throw err; // a URI the sink refuses, named by it
      throw new IoError(`${label}: ${reasonOf(err)}`, { cause: err });
    }
    sinks.push(sink);
    feed(s.from, `sink:${i}`, guardSink(sink, label, onError, () => recordsOut++));
  });
  const fusedStreams = new Set([...fusions.values()].filter((f) => f.doesFirst).map((f) => f.stream));
  for (const { name, from, ops } of plan.streams.toReversed()) {
    const skip = fusedStreams.has(name) ? 1 : 0; // the source's decoder does the first operator
    const keep = (i: number, state: Stateful) => stateful.set(`${name}/${i + skip}/${ops[i + skip]!.def.name}`, state);
    const second = (input: string, d: Downstream) => feed(input, name, d);
    const head = fanIn(from.length, buildChain(ops.slice(skip), tee(consumers.get(name) ?? []), { keep, second, pressure, onError }));
    for (const input of from) feed(input, name, head);
  }

  const roots: Downstream[] = [];
  const inputs = Object.entries(spec.sources).map(([name, s], i) => {
    const root = tee(consumers.get(name) ?? []);
    roots.push(root);
    const source = io.source(name, s);
    const decoder = fusions.get(name)?.decoder ?? rangeDecoder(s.parse ? createDecoder(s.parse) : undefined);
    const intake = new Intake(source.label, decoder, root, onError, { afterText: () => hooks.afterText?.(i), onFail: hooks.onFail }, { maxLineBytes: s.maxLineBytes, encoding: spec.encoding });
    return { name, source, intake, maxRate: s.maxRate };
  });

  return {
    inputs,
    stateful,
    pressure,
    begin(time) {
      setBatchTime(time); // the `t` of every expression
      for (const root of roots) root.begin(time);
    },
    async end(last = false) {
      for (const root of roots) await root.end(last);
    },
    takeRecordsOut() {
      const n = recordsOut;
      recordsOut = 0;
      return n;
    },
    ...(edges && {
      takeEdgeCounts() {
        const counts: Record<string, number> = {};
        for (const counter of edges) {
          counts[counter.edge] = (counts[counter.edge] ?? 0) + counter.n;
          counter.n = 0;
        }
        return counts;
      },
    }),
    async close() {
      for (const sink of sinks) await sink.close();
    },
    abort() {
      for (const sink of sinks) sink.abort?.();
    },
  };
}

interface EdgeCounter {
  edge: string;
  n: number;
}

/** `next` with the records pushed into it counted under `edge` (a self-join has two wires along one edge). */
function countingEdge(counters: EdgeCounter[], edge: string, next: Downstream): Downstream {
  const counter = { edge, n: 0 };
  counters.push(counter);
  return {
    begin: (time) => next.begin(time),
    push(rec) {
      counter.n++;
      next.push(rec);
    },
    end: (last) => next.end(last),
  };
}

/**
 * A sink as the graph sees it: counts records, refuses those the format cannot write (--on-error),
 * and when the sink fails a batch (after its own
 * retries) applies --on-error: fail the run (nothing is checkpointed, a restart redoes the batch),
 * or skip / dead-letter each of the batch's records with the error. A failure while the batch is
 * written (a full disk) is the sink's, reported when the batch closes, never a record's: the
 * rest of the batch is not written to it. Sinks' errors say what failed; `label` says which sink.
 */
function guardSink(sink: Sink, label: string, onError: OnError, counted: () => void): Downstream {
  const keep = onError.mode !== 'fail';
  let batch: unknown[] = [];
  let time = 0;
  let broken: unknown;
  const failed = (err: unknown) => {
    if (err instanceof BadRecordError) throw err; // a record of the batch, already named
    const reason = reasonOf(err);
    // a sink that refuses everything fails the run: skipping would drop every batch
    if (!keep || err instanceof SinkRefusedError) throw new IoError(`${label}: ${reason}`, { cause: err });
    const records = batch.length === 1 ? 'its record is' : `its ${batch.length} records are`;
    note(`${label}: ${reason} (batch ${time}: ${records} ${onError.mode === 'dlq' ? 'dead-lettered' : 'skipped'})`);
    for (const rec of batch) onError.bad(reason, label, rec, err);
    batch = [];
  };
  return {
    begin(t) {
      batch = [];
      time = t;
      broken = undefined;
      try {
        sink.begin(t);
      } catch (err) {
        broken = err;
      }
    },
    push(rec) {
      if (broken === undefined) {
        try {
          sink.push(rec); // no closure per record: this is the hot path
        } catch (err) {
          // a record the format cannot write is a bad record, wherever in the batch it comes
          if (err instanceof RenderError) return onError.bad(err.message, label, rec, err);
          broken = err;
        }
      }
      counted();
      if (keep) batch.push(rec);
    },
    end() {
      if (broken !== undefined) return failed(broken);
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
