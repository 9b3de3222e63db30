// kmeans: MLlib's StreamingKMeans on a stream of vectors: K centres, random (Gaussian, seeded) or
// given, updated at each batch by its forgetful mini-batch rule (decay, or a half-life in batches or
// points), a dying cluster replaced by a split of the largest; emits [i, centre] per centre each
// batch, or [x, cluster] with predict / predict-on. The centres and their weights are checkpointed.

import { random } from '../core/random.ts';
import type { Rec } from '../core/stream.ts';
import { ExpressionFailed, type ModelOperator } from './operator.ts';
import { featuresOf, jsonOption, PREDICT_OPTIONS, predictProblem, SHARED_OPTIONS, vectorOf } from './model.ts';

export const kmeans: ModelOperator = {
  name: 'kmeans',
  kind: 'model',
  summary: 'cluster vectors into K clusters as they come (StreamingKMeans): [i, centre] per centre each batch',
  group: 'model',
  arg: { kind: 'int', min: 1, metavar: 'K' },
  options: {
    decay: { arg: { kind: 'number', min: 0, metavar: 'X' }, summary: 'kmeans: the weight left to what was learnt before, per time unit (1: remember all, 0: only the last batch)' },
    'half-life': { arg: { kind: 'number', min: 0, metavar: 'N' }, summary: "kmeans: the time units after which what was learnt counts half (instead of --decay)" },
    'time-unit': { arg: { kind: 'choice', choices: ['batches', 'points'] }, summary: 'kmeans: what --decay and --half-life count (batches)' },
    centres: { arg: { kind: 'string', metavar: 'JSON' }, summary: 'kmeans: the initial centres, K vectors (default: random, of --dimension)' },
    'initial-weight': { arg: { kind: 'number', min: 0, metavar: 'W' }, summary: 'kmeans: the weight of each initial centre, as if W points had made it (0)' },
    ...SHARED_OPTIONS,
    ...PREDICT_OPTIONS,
  },
  example: `--map 'x.split(",").map(Number)' --kmeans 2 --dimension 2 --half-life 5 --seed 1`,
  check({ arg, options }) {
    if (options.decay !== undefined && options['half-life'] !== undefined) return 'kmeans takes --decay or --half-life, not both';
    if (options['half-life'] === 0) return 'half-life: needs a number > 0';
    const predicting = predictProblem('kmeans', options);
    if (predicting) return predicting;
    const centres = jsonOption(options.centres, 'centres');
    if ('error' in centres) return centres.error;
    if (centres.value === undefined) return options.dimension === undefined ? 'kmeans needs --centres, or --dimension for random centres' : undefined;
    try {
      const given = centres.value as unknown[];
      if (!Array.isArray(given) || given.length !== arg) return `centres: needs ${arg as number} vectors, one per cluster`;
      const dimension = (options.dimension as number | undefined) ?? vectorOf(given[0], 'centres', 'a centre').length;
      for (const c of given) vectorOf(c, 'centres', 'a centre', dimension);
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  },
  learner(ctx) {
    const k = ctx.arg as number;
    const options = ctx.options;
    const unit = (options['time-unit'] as 'batches' | 'points' | undefined) ?? 'batches';
    const halfLife = options['half-life'] as number | undefined;
    const decay = halfLife === undefined ? ((options.decay as number | undefined) ?? 1) : Math.exp(Math.log(0.5) / halfLife);
    const given = jsonOption(options.centres, 'centres') as { value: number[][] | undefined };
    let centres = given.value?.map((c) => [...c]) ?? randomCentres(k, options.dimension as number, (options.seed as number | undefined) ?? 42);
    let weights: number[] = centres.map(() => (options['initial-weight'] as number | undefined) ?? 0);
    const dimension = centres[0]!.length;
    const point = (rec: Rec) => vectorOf(featuresOf(rec), ctx.label, 'a point', dimension);
    return {
      parse: (rec) => vectorOf(rec, ctx.label, 'a point', dimension),
      train(batch) {
        update(centres, weights, batch as number[][], unit === 'batches' ? decay : decay ** batch.length);
      },
      emit(out) {
        centres.forEach((centre, i) => out([i, [...centre]]));
      },
      predict: (rec) => closest(centres, point(rec)),
      // a copy: the next batch moves the centres in place
      snapshot: () => ({ centres: centres.map((c) => [...c]), weights: [...weights] }),
      restore(saved) {
        const model = saved as { centres: number[][]; weights: number[] };
        if (model.centres.length !== k || model.centres[0]!.length !== dimension) {
          throw new ExpressionFailed(ctx.label, new Error(`the checkpoint has ${model.centres.length} centres of ${model.centres[0]!.length}, not ${k} of ${dimension}`));
        }
        centres = model.centres.map((c) => [...c]);
        weights = [...model.weights];
      },
    };
  },
};

/** K centres of standard normal coordinates (Box-Muller on a seeded generator; not Spark's XORShiftRandom). */
function randomCentres(k: number, dimension: number, seed: number): number[][] {
  const uniform = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: k }, () => Array.from({ length: dimension }, gaussian));
}

/** The index of the centre nearest to a point (squared Euclidean distance; the first of equals). */
function closest(centres: number[][], point: number[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centres.forEach((centre, i) => {
    let d = 0;
    for (let j = 0; j < point.length; j++) d += (point[j]! - centre[j]!) ** 2;
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  return best;
}

/**
 * StreamingKMeansModel.update, in place: each point goes to its nearest centre as the batch
 * begins; the weights are discounted; each centre that got points moves towards their mean by the
 * share of the weight they bring; then the lightest centre, if it is dying (under 1e-8 of the
 * heaviest's weight), takes half the heaviest's weight and the heaviest is split in two around it.
 */
function update(centres: number[][], weights: number[], points: number[][], discount: number): void {
  const dimension = centres[0]!.length;
  const sums = centres.map(() => new Array<number>(dimension).fill(0));
  const counts = centres.map(() => 0);
  for (const p of points) {
    const i = closest(centres, p);
    counts[i]!++;
    for (let j = 0; j < dimension; j++) sums[i]![j]! += p[j]!;
  }
  for (let i = 0; i < weights.length; i++) weights[i]! *= discount;
  centres.forEach((centre, i) => {
    const count = counts[i]!;
    if (!count) return;
    const updated = weights[i]! + count;
    const lambda = count / Math.max(updated, 1e-16);
    weights[i] = updated;
    for (let j = 0; j < dimension; j++) centre[j] = centre[j]! * (1 - lambda) + (lambda / count) * sums[i]![j]!;
  });
  let [largest, smallest] = [0, 0];
  weights.forEach((w, i) => {
    if (w > weights[largest]!) largest = i;
    if (w < weights[smallest]!) smallest = i;
  });
  const [max, min] = [weights[largest]!, weights[smallest]!];
  if (min < 1e-8 * max) {
    weights[largest] = weights[smallest] = (max + min) / 2;
    for (let j = 0; j < dimension; j++) {
      const x = centres[largest]![j]!;
      const p = 1e-14 * Math.max(Math.abs(x), 1);
      centres[largest]![j] = x + p;
      centres[smallest]![j] = x - p;
    }
  }
}
