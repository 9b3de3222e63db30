// The plan as the page draws it: sources, streams and sinks as nodes in columns (each node one
// column right of the furthest node it reads), and the edges records flow along, keyed as the
// runtime counts them (`from->to`, a sink being `sink:N`).

import { redactedUri } from '../io/uri.ts';
import { inputsOf } from '../pipeline/graph.ts';
import type { Plan } from '../pipeline/plan.ts';

export interface DagNode {
  id: string;
  kind: 'source' | 'stream' | 'sink';
  label: string;
  /** What it is: the source's URI, the stream's operators, the sink's URI. */
  detail: string;
  column: number;
}

export interface Dag {
  nodes: DagNode[];
  edges: { from: string; to: string }[];
}

export function dagOf(plan: Plan): Dag {
  const { spec } = plan;
  const column = new Map<string, number>();
  const nodes: DagNode[] = [];
  const edges: Dag['edges'] = [];
  for (const [name, s] of Object.entries(spec.sources)) {
    column.set(name, 0);
    nodes.push({ id: name, kind: 'source', label: name, detail: redactedUri(s.in) + (s.parse ? ` (${s.parse})` : ''), column: 0 });
  }
  // plan.streams: each after those it reads
  for (const { name, ops } of plan.streams) {
    const inputs = inputsOf(spec.streams[name]!);
    const col = 1 + Math.max(0, ...inputs.map((i) => column.get(i) ?? 0));
    column.set(name, col);
    nodes.push({ id: name, kind: 'stream', label: name, detail: ops.map(({ spec: o }) => (typeof o.arg === 'string' ? `${o.op} ${o.arg}` : o.op)).join(' | ') || '(no operators)', column: col });
    for (const from of inputs) edges.push({ from, to: name });
  }
  spec.sinks.forEach((s, i) => {
    const id = `sink:${i}`;
    nodes.push({ id, kind: 'sink', label: redactedUri(s.out), detail: s.format, column: (column.get(s.from) ?? 0) + 1 });
    edges.push({ from: s.from, to: id });
  });
  return { nodes, edges };
}
