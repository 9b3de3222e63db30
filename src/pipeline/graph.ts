// The pipeline as a graph of named streams: what each reads, the order they run in, the cycles
// that would make an order impossible, and who reads a stream. Every walk of the graph is here.

import { secondInputs } from '../operators/index.ts';
import type { PipelineSpec, StreamSpec } from './pipeline.ts';

/** What a stream reads: the streams and sources in its `from`, and those its operators name (joins, union, predict-on). */
export function inputsOf(stream: StreamSpec): string[] {
  return [...stream.from, ...stream.ops.flatMap((op) => secondInputs(op).map((input) => input.stream))];
}

/** A reference from `stream` to `input` that closes a cycle; `message` says it the way records flow. */
export interface Cycle {
  stream: string;
  input: string;
  message: string;
}

/**
 * One depth-first walk: the streams in an order where each comes after those it reads, and each
 * cycle once, at the reference that closes it (the order is only meaningful when there is none).
 */
export function walk(spec: PipelineSpec): { order: string[]; cycles: Cycle[] } {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const cycles: Cycle[] = [];
  const visit = (name: string, trail: string[]) => {
    const stream = spec.streams[name];
    if (!stream || state.get(name) === 'done') return;
    state.set(name, 'visiting');
    for (const input of inputsOf(stream)) {
      if (state.get(input) !== 'visiting') visit(input, [...trail, name]);
      else {
        // trail: each stream reads the next; shown the way records flow
        const cycle = [...trail.slice(trail.indexOf(input)), name, input].reverse();
        cycles.push({ stream: name, input, message: input === name ? `stream '${name}' reads from itself` : `cycle: ${cycle.join(' -> ')} (each feeds the next)` });
      }
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(spec.streams)) visit(name, []);
  return { order, cycles };
}

/** How many streams and sinks read `name`. */
export function readersOf(spec: PipelineSpec, name: string): number {
  const streams = Object.values(spec.streams).filter((s) => inputsOf(s).includes(name)).length;
  return streams + spec.sinks.filter((s) => s.from === name).length;
}
