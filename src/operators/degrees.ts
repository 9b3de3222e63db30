// degrees: each node's degree in the graph of a batch's or a window's edges [src, dst], as [node, n]
// (an edge given twice counts once; a self-loop twice, as graphology counts it).

import type { AggregateOperator } from './operator.ts';
import { graphAggregator } from './graph.ts';

export const degrees: AggregateOperator = {
  name: 'degrees',
  kind: 'aggregate',
  summary: 'the degree of each node of the graph of the edges [src, dst] (of the batch or window), as [node, n]',
  group: 'aggregate',
  arg: { kind: 'none' },
  example: `--map 'x.split(" ").slice(0, 2)' --filter 'x.length === 2' --degrees`,
  aggregate: (ctx) => graphAggregator(ctx.label, ({ graph }) => graph.mapNodes((node: string) => [node, graph.degree(node)] as [string, number])),
};
