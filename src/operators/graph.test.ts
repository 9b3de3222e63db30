// The graph operators against published results and graphology run directly: PageRank on Zachary's
// karate club (pipelines/data/karate-club.txt: its 78 friendships, members numbered from 0 as in
// networkx's karate_club_graph) against networkx's published ranks, and over a sliding window
// against graphology on the window's edges.

import { readFileSync } from 'node:fs';
import { connectedComponents as componentsOf } from 'graphology-components';
import pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { describe, expect, it } from 'vitest';
import { runBatches } from '../../test/support/batches.ts';
import { random } from '../../test/support/random.ts';
import { graphOf } from './graph.ts';
import type { AbstractGraph } from 'graphology-types';

const pagerankOf = pagerankModule as unknown as typeof pagerankModule.default;

const KARATE = readFileSync(new URL('../../pipelines/data/karate-club.txt', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => line.split(' ').map(Number) as [number, number]);

/** nx.pagerank(nx.karate_club_graph()) (alpha 0.85, tol 1e-6), as networkx's documentation prints it, by member. */
const NETWORKX_PAGERANK = [
  0.09700181758983709, 0.05287839103742701, 0.057078423047636745, 0.03586064322306479, 0.021979406974834498, 0.02911334166344221,
  0.02911334166344221, 0.024490758039509182, 0.029765339186167028, 0.014308950284462801, 0.021979406974834498, 0.009564916863537148,
  0.014645186487916191, 0.029536314977202986, 0.014535161524273825, 0.014535161524273825, 0.016785378110253487, 0.014558859774243493,
  0.014535161524273825, 0.019604416711937293, 0.014535161524273825, 0.014558859774243493, 0.014535161524273825, 0.03152091531163228,
  0.021075455001162945, 0.021005628174745786, 0.015043395360629753, 0.025638803528350497, 0.01957296050943854, 0.02628726283711208,
  0.02458933653429248, 0.03715663592267942, 0.07169213006588289, 0.1009179167487121,
];

const asMap = (records: unknown[]) => new Map(records as [unknown, unknown][]);

describe('pagerank', () => {
  it("gives the karate club's published ranks, to 1e-12, whatever order the edges come in", async () => {
    expect(KARATE).toHaveLength(78);
    const shuffled = KARATE.toSorted(() => 0.5 - random(3)());
    for (const edges of [KARATE, shuffled, KARATE.map(([a, b]) => [b, a])]) {
      const [out] = await runBatches([edges], [['pagerank']]);
      const ranks = asMap(out!.records);
      expect(ranks.size).toBe(34);
      NETWORKX_PAGERANK.forEach((rank, member) => expect(Math.abs((ranks.get(member) as number) - rank)).toBeLessThan(1e-12));
    }
  });

  it('ranks the two leaders first: the instructor (0) and the administrator (33)', async () => {
    const [out] = await runBatches([KARATE], [['pagerank']]);
    const order = (out!.records as [number, number][]).toSorted((a, b) => b[1] - a[1]).map(([m]) => m);
    expect(order.slice(0, 5)).toEqual([33, 0, 32, 2, 1]);
  });

  it('takes damping and direction: with damping 1 on a directed cycle every node has the same rank', async () => {
    const [out] = await runBatches([[['a', 'b'], ['b', 'c'], ['c', 'a']]], [['pagerank', true, { damping: '1', directed: true }]]);
    for (const [, rank] of out!.records as [string, number][]) expect(rank).toBeCloseTo(1 / 3, 12);
  });
});

describe('degrees and connected-components', () => {
  it('gives the karate club its degrees: 16 friends for the instructor, 17 for the administrator', async () => {
    const [out] = await runBatches([KARATE], [['degrees']]);
    const degree = asMap(out!.records);
    expect([degree.get(0), degree.get(33), degree.get(11)]).toEqual([16, 17, 1]);
    expect([...degree.values()].reduce((a, b) => (a as number) + (b as number), 0)).toBe(2 * 78);
  });

  it('labels each node with the smallest of its component, numbers before text, an edge given twice once', async () => {
    const [out] = await runBatches([[[3, 2], ['x', 'y'], [2, 10], ['y', 'x'], ['b', 'a']]], [['connected-components']]);
    expect(asMap(out!.records)).toEqual(new Map<unknown, unknown>([[3, 2], [2, 2], [10, 2], ['x', 'x'], ['y', 'x'], ['b', 'a'], ['a', 'a']]));
  });

  it('gives nothing for a batch without edges', async () => {
    for (const op of ['degrees', 'connected-components', 'pagerank', 'triangle-count']) expect((await runBatches([[]], [[op]]))[0]!.records).toEqual([]);
  });

  it('says what an edge must be', async () => {
    await expect(runBatches([['a b']], [['degrees']])).rejects.toThrow(/degrees.*needs edges \[src, dst\] or \[src, dst, weight >= 0\], got "a b"/);
  });
});

/** Each node's triangles by brute force: every triple of nodes that graphology says are all linked. */
function trianglesByTriples(graph: AbstractGraph): Map<number, number> {
  const nodes = graph.nodes();
  const counts = new Map(nodes.map((n) => [Number(n), 0]));
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++)
      for (let k = j + 1; k < nodes.length; k++) {
        const [a, b, c] = [nodes[i]!, nodes[j]!, nodes[k]!];
        if (!graph.hasEdge(a, b) || !graph.hasEdge(b, c) || !graph.hasEdge(a, c)) continue;
        for (const n of [a, b, c]) counts.set(Number(n), counts.get(Number(n))! + 1);
      }
  return counts;
}

describe('triangle-count', () => {
  it("finds the karate club's 45 triangles, 18 at the instructor and 15 at the administrator", async () => {
    const [out] = await runBatches([KARATE], [['triangle-count']]);
    const counts = asMap(out!.records) as Map<number, number>;
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(3 * 45);
    expect([counts.get(0), counts.get(33)]).toEqual([18, 15]);
    expect(counts).toEqual(trianglesByTriples(graphOf(KARATE, false).graph));
  });

  it('counts an edge given twice or both ways once, and a self-loop never', async () => {
    const [out] = await runBatches([[['a', 'b'], ['b', 'a'], ['b', 'c'], ['c', 'a'], ['a', 'a'], ['c', 'd']]], [['triangle-count']]);
    expect(asMap(out!.records)).toEqual(new Map([['a', 1], ['b', 1], ['c', 1], ['d', 0]]));
  });
});

describe('graph operators over a sliding window', () => {
  // random edges among 30 nodes, 20 a batch, over windows of 3 batches sliding every batch
  const next = random(5);
  const batches = Array.from({ length: 8 }, () => Array.from({ length: 20 }, () => [Math.floor(next() * 30), Math.floor(next() * 30)]));
  const windowEdges = (i: number) => batches.slice(Math.max(0, i - 2), i + 1).flat() as [number, number][];

  it('gives for every slide what graphology gives on the window’s edges directly', async () => {
    const window = (op: string) => runBatches(batches, [['window', '3s'], [op]]);
    const [ranks, degrees, components, triangles] = await Promise.all([window('pagerank'), window('degrees'), window('connected-components'), window('triangle-count')]);
    for (let i = 0; i < batches.length; i++) {
      const { graph } = graphOf(windowEdges(i), false);
      const direct = pagerankOf(graph, { getEdgeWeight: 'weight' });
      expect(asMap(ranks[i]!.records)).toEqual(new Map(Object.entries(direct).map(([k, r]) => [Number(k), r])));
      expect(asMap(degrees[i]!.records)).toEqual(new Map(graph.mapNodes((k: string) => [Number(k), graph.degree(k)])));
      const label = new Map<number, number>();
      for (const c of componentsOf(graph)) for (const k of c) label.set(Number(k), Math.min(...c.map(Number)));
      expect(asMap(components[i]!.records)).toEqual(label);
      expect(asMap(triangles[i]!.records)).toEqual(trianglesByTriples(graph));
    }
  });
});
