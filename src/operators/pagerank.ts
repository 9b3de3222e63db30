// pagerank: each node's PageRank in the graph of a batch's or a window's edges [src, dst] or
// [src, dst, weight], as [node, rank], from graphology-metrics: the power iteration stops once the
// ranks change by less than nodes × tolerance in all, as networkx's does; undirected unless --directed.

import pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { ExpressionFailed, type AggregateOperator } from './operator.ts';
import { graphAggregator } from './graph.ts';

// the module is `module.exports = pagerank`, which its types call a default export
const pagerankOf = pagerankModule as unknown as typeof pagerankModule.default;

export const pagerank: AggregateOperator = {
  name: 'pagerank',
  kind: 'aggregate',
  summary: 'the PageRank of each node of the graph of the edges [src, dst] or [src, dst, weight], as [node, rank]',
  group: 'aggregate',
  arg: { kind: 'none' },
  options: {
    damping: { arg: { kind: 'number', min: 0, max: 1, metavar: 'X' }, summary: 'pagerank: the probability of following an edge rather than jumping anywhere (0.85)' },
    tolerance: { arg: { kind: 'number', min: 0, metavar: 'X' }, summary: 'pagerank: stop once the ranks change by less than nodes × X in all (1e-6), or after 100 iterations' },
    directed: { arg: { kind: 'none' }, summary: 'pagerank: edges go from src to dst (default: both ways)' },
  },
  example: `--map 'x.split(" ").slice(0, 2)' --filter 'x.length === 2' --pagerank --damping 0.85`,
  aggregate(ctx) {
    const alpha = (ctx.options.damping as number | undefined) ?? 0.85;
    const tolerance = (ctx.options.tolerance as number | undefined) ?? 1e-6;
    const ranks = (graph: Parameters<typeof pagerankOf>[0]) => {
      try {
        return Object.entries(pagerankOf(graph, { alpha, tolerance, maxIterations: 100, getEdgeWeight: 'weight' }));
      } catch (err) {
        // with damping near 1 the iteration may oscillate (a bipartite graph) instead of settling
        throw new ExpressionFailed(ctx.label, new Error(`${(err as Error).message} in 100 iterations: lower the damping or raise the tolerance`));
      }
    };
    return graphAggregator(ctx.label, ({ graph }) => ranks(graph), ctx.options.directed === true);
  },
};
