// connected-components: each node of the graph of a batch's or a window's edges [src, dst] with the
// smallest node of its component, as [node, component] (GraphX's connectedComponents labels
// components by their lowest vertex id the same way); edges are taken as undirected.

import { connectedComponents as componentsOf } from 'graphology-components';
import type { AggregateOperator } from './operator.ts';
import { graphAggregator } from './graph.ts';

/** Numbers before text, numbers by value, text by code units: an order for any node. */
function smaller(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'number' || typeof b === 'number') return typeof a === 'number';
  return String(a) < String(b);
}

export const connectedComponents: AggregateOperator = {
  name: 'connected-components',
  kind: 'aggregate',
  summary: 'each node of the graph of the edges [src, dst] with the smallest node of its connected component, as [node, component]',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: `--map 'x.split(" ").slice(0, 2)' --filter 'x.length === 2' --connected-components`,
  aggregate: (ctx) =>
    graphAggregator(ctx.label, function* ({ graph, nodes }) {
      for (const component of componentsOf(graph)) {
        let label = nodes.get(component[0]!);
        for (const key of component) if (smaller(nodes.get(key), label)) label = nodes.get(key);
        for (const key of component) yield [key, label];
      }
    }),
};
