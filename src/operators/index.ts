// The registry of operators: the flag chain, pipeline files, help and docs all read it.

import { approxDistinct } from './approx-distinct.ts';
import { cogroup } from './cogroup.ts';
import { combineByKey } from './combine-by-key.ts';
import { connectedComponents } from './connected-components.ts';
import { degrees } from './degrees.ts';
import { pagerank } from './pagerank.ts';
import { triangleCount } from './triangle-count.ts';
import { kmeans } from './kmeans.ts';
import { trainLinear } from './train-linear.ts';
import { trainLogistic } from './train-logistic.ts';
import { streamingTest } from './streaming-test.ts';

import { count } from './count.ts';
import { countByValueAndWindow } from './count-by-value-and-window.ts';
import { countByWindow } from './count-by-window.ts';
import { countByValue } from './count-by-value.ts';
import { dedupe } from './dedupe.ts';
import { filter } from './filter.ts';
import { flatMap } from './flat-map.ts';
import { flatMapValues } from './flat-map-values.ts';
import { fullOuterJoin } from './full-outer-join.ts';
import { groupByKey } from './group-by-key.ts';
import { groupByKeyAndWindow } from './group-by-key-and-window.ts';
import { join } from './join.ts';
import { joinWith } from './join-with.ts';
import { keyBy } from './key-by.ts';
import { leftOuterJoin } from './left-outer-join.ts';
import { leftOuterJoinWith } from './left-outer-join-with.ts';
import { map } from './map.ts';
import { mapWithState } from './map-with-state.ts';
import { mapValues } from './map-values.ts';
import type { OperatorDef, OpSpec } from './operator.ts';
import { quantiles } from './quantiles.ts';
import { reduce } from './reduce.ts';
import { reduceByKey } from './reduce-by-key.ts';
import { reduceByKeyAndWindow } from './reduce-by-key-and-window.ts';
import { reduceByWindow } from './reduce-by-window.ts';
import { repartition } from './repartition.ts';
import { session } from './session.ts';
import { rightOuterJoin } from './right-outer-join.ts';
import { topK } from './top-k.ts';
import { transform } from './transform.ts';
import { transformWith } from './transform-with.ts';
import { union } from './union.ts';
import { updateState } from './update-state.ts';
import { window } from './window.ts';

export const OPERATORS: readonly OperatorDef[] = [
  map,
  filter,
  flatMap,
  keyBy,
  mapValues,
  flatMapValues,
  repartition,
  transform,
  count,
  countByValue,
  reduce,
  reduceByKey,
  groupByKey,
  combineByKey,
  approxDistinct,
  quantiles,
  topK,
  degrees,
  connectedComponents,
  pagerank,
  triangleCount,
  window,
  session,
  countByWindow,
  countByValueAndWindow,
  reduceByWindow,
  reduceByKeyAndWindow,
  groupByKeyAndWindow,
  updateState,
  mapWithState,
  dedupe,
  kmeans,
  trainLinear,
  trainLogistic,
  streamingTest,
  joinWith,
  leftOuterJoinWith,
  join,
  leftOuterJoin,
  rightOuterJoin,
  fullOuterJoin,
  cogroup,
  union,
  transformWith,
];

const byName = new Map(OPERATORS.map((op) => [op.name, op]));

export function operator(name: string): OperatorDef | undefined {
  return byName.get(name);
}

/**
 * The streams an operator as written reads besides its stream's `from`: a pair operator's argument
 * (a join's), a stream option's (predict-on), with the option that names it.
 */
export function secondInputs(op: OpSpec): { stream: string; option?: string }[] {
  const def = byName.get(op.op);
  const named: { stream: string; option?: string }[] = [];
  if (def?.arg.kind === 'stream' && typeof op.arg === 'string') named.push({ stream: op.arg });
  for (const [option, spec] of Object.entries(def?.options ?? {})) {
    const stream = op.options[option];
    if (spec.arg.kind === 'stream' && typeof stream === 'string') named.push({ stream, option });
  }
  return named;
}
