// triangle-count: the number of triangles each node of the graph of a batch's or a window's edges
// [src, dst] is a corner of, as [node, n] (GraphX's triangleCount): edges are undirected, an edge
// given twice counts once and a self-loop never closes a triangle. The graph's total is the sum / 3.

import type { AbstractGraph as Graph } from 'graphology-types';
import type { AggregateOperator } from './operator.ts';
import { graphAggregator } from './graph.ts';

export const triangleCount: AggregateOperator = {
  name: 'triangle-count',
  kind: 'aggregate',
  summary: 'the number of triangles each node of the graph of the edges [src, dst] is in, as [node, n]',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: `--map 'x.split(" ").slice(0, 2)' --filter 'x.length === 2' --triangle-count`,
  aggregate: (ctx) => graphAggregator(ctx.label, ({ graph }) => trianglesOf(graph)),
};

/**
 * Each node's triangles: every triangle is found once, from its corner that comes first in the
 * nodes' order, by intersecting the neighbours that come after each corner (O(edges^1.5) at worst).
 */
export function trianglesOf(graph: Graph): [string, number][] {
  const order = new Map<string, number>();
  graph.forEachNode((node) => order.set(node, order.size));
  const later = new Map<string, Set<string>>();
  graph.forEachNode((node) => {
    const rank = order.get(node)!;
    later.set(node, new Set(graph.neighbors(node).filter((other) => order.get(other)! > rank)));
  });
  const counts = new Map<string, number>();
  graph.forEachNode((node) => counts.set(node, 0));
  for (const [a, afterA] of later) {
    for (const b of afterA) {
      for (const c of later.get(b)!) {
        if (!afterA.has(c)) continue;
        for (const corner of [a, b, c]) counts.set(corner, counts.get(corner)! + 1);
      }
    }
  }
  return [...counts];
}
