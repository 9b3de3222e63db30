// What the graph operators (degrees, connected-components, pagerank) share: a batch's or a window's
// edges [src, dst] or [src, dst, weight], kept as they come (a window concatenates its panes'), made
// into a graphology graph when the result is emitted, one record [node, value] per node.

import { DirectedGraph, UndirectedGraph } from 'graphology';
import type { AbstractGraph as Graph } from 'graphology-types';
import type { Aggregator, Rec } from '../core/stream.ts';
import { ExpressionFailed, preview } from './operator.ts';
import { textOf } from './sketch.ts';

type Edge = [unknown, unknown] | [unknown, unknown, number];

/** A graph of the edges, its nodes keyed by their text, and the values the keys stand for. */
export interface EdgeGraph {
  graph: Graph;
  nodes: Map<string, unknown>;
}

/** The aggregator of a graph operator: `compute` gives each node's value from the graph of the edges. */
export function graphAggregator(label: string, compute: (g: EdgeGraph) => Iterable<[string, unknown]>, directed = false): Aggregator<Edge[]> {
  return {
    empty: () => [],
    add(edges, rec) {
      edges.push(edgeOf(rec, label));
      return edges;
    },
    // the window stage merges into a fresh empty() or its own running result, never into a pane
    merge(into, pane) {
      for (const edge of pane) into.push(edge);
      return into;
    },
    emit(edges, out) {
      if (!edges.length) return; // no nodes: nothing to emit (and graphology's pagerank never converges on none)
      const g = graphOf(edges, directed);
      for (const [key, value] of compute(g)) out([g.nodes.get(key), value]);
    },
  };
}

function edgeOf(rec: Rec, label: string): Edge {
  const ok = Array.isArray(rec) && (rec.length === 2 || (rec.length === 3 && typeof rec[2] === 'number' && Number.isFinite(rec[2]) && rec[2] >= 0));
  if (!ok) throw new ExpressionFailed(label, new TypeError(`needs edges [src, dst] or [src, dst, weight >= 0], got ${preview(rec)}`));
  return rec as Edge;
}

/** A simple graph: an edge given twice is one, its weights added (1 each when none is given). */
export function graphOf(edges: Edge[], directed: boolean): EdgeGraph {
  const graph: Graph = directed ? new DirectedGraph() : new UndirectedGraph();
  const nodes = new Map<string, unknown>();
  for (const [src, dst, weight = 1] of edges) {
    const s = textOf(src);
    const d = textOf(dst);
    if (!nodes.has(s)) nodes.set(s, src);
    if (!nodes.has(d)) nodes.set(d, dst);
    graph.mergeNode(s);
    graph.mergeNode(d);
    graph.updateEdge(s, d, (attributes: { weight?: number }) => ({ weight: (attributes.weight ?? 0) + weight }));
  }
  return { graph, nodes };
}
