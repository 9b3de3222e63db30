// What train-linear and train-logistic share: MLlib's StreamingLinearAlgorithm trained by
// GradientDescent.runMiniBatchSGD from the weights of the batch before (no intercept, as in Spark's
// streaming forms), its options, and the model that emits the weights or predicts with them.

import { random } from '../core/random.ts';
import type { Rec } from '../core/stream.ts';
import { ExpressionFailed, preview, type Learner, type OpContext } from './operator.ts';
import { dot, featuresOf, jsonOption, PREDICT_OPTIONS, predictProblem, SHARED_OPTIONS, vectorOf } from './model.ts';

export const SGD_OPTIONS = {
  'step-size': { arg: { kind: 'number', min: 0, metavar: 'X' }, summary: 'train-linear, train-logistic: the step of gradient descent, X / sqrt(iteration) at each iteration (0.1)' },
  iterations: { arg: { kind: 'int', min: 1, metavar: 'N' }, summary: 'train-linear, train-logistic: the iterations of gradient descent per batch (50)' },
  'mini-batch-fraction': { arg: { kind: 'number', min: 0, max: 1, metavar: 'F' }, summary: "train-linear, train-logistic: the share of the batch's records each iteration samples (1: all)" },
  'initial-weights': { arg: { kind: 'string', metavar: 'JSON' }, summary: 'train-linear, train-logistic: the weights to start from, a vector (default: zeros of --dimension)' },
  'convergence-tol': { arg: { kind: 'number', min: 0, metavar: 'X' }, summary: 'train-linear, train-logistic: stop a batch early once the weights move by less than X of their norm (0.001)' },
  ...SHARED_OPTIONS,
  ...PREDICT_OPTIONS,
} as const;

export function sgdProblem(name: string, options: Record<string, unknown>): string | undefined {
  if (options['mini-batch-fraction'] === 0) return 'mini-batch-fraction: needs a number > 0';
  const weights = jsonOption(options['initial-weights'], 'initial-weights');
  if ('error' in weights) return weights.error;
  if (weights.value === undefined && options.dimension === undefined) return `${name} needs --initial-weights, or --dimension for zeros`;
  try {
    if (weights.value !== undefined) vectorOf(weights.value, 'initial-weights', 'the weights', options.dimension as number | undefined);
  } catch (err) {
    return (err as Error).message;
  }
  return predictProblem(name, options);
}

/** A generalised linear model: how a point adds to the gradient, and how weights predict. */
export interface Glm {
  /** Add the gradient of the loss at one point to `into`. */
  gradient(weights: number[], label: number, features: number[], into: number[]): void;
  predict(weights: number[], features: number[]): number;
  /** What a label must be (logistic regression's are 0 or 1). */
  label?: { ok(label: number): boolean; what: string };
}

type Labelled = [number, number[]];

export function sgdLearner(ctx: OpContext, glm: Glm): Learner<Labelled> {
  const options = ctx.options;
  const step = (options['step-size'] as number | undefined) ?? 0.1;
  const iterations = (options.iterations as number | undefined) ?? 50;
  const fraction = (options['mini-batch-fraction'] as number | undefined) ?? 1;
  const tolerance = (options['convergence-tol'] as number | undefined) ?? 0.001;
  const seed = (options.seed as number | undefined) ?? 42;
  const initial = (jsonOption(options['initial-weights'], 'initial-weights') as { value?: number[] }).value;
  let weights = initial ? [...initial] : new Array<number>(options.dimension as number).fill(0);
  const dimension = weights.length;
  const what = glm.label ? `a labelled point [label (${glm.label.what}), features]` : 'a labelled point [label, features]';
  return {
    parse(rec) {
      const ok = Array.isArray(rec) && rec.length === 2 && typeof rec[0] === 'number' && Number.isFinite(rec[0]) && (!glm.label || glm.label.ok(rec[0]));
      if (!ok) throw new ExpressionFailed(ctx.label, new TypeError(`needs ${what}, got ${preview(rec)}`));
      return [rec[0] as number, vectorOf(rec[1], ctx.label, 'features', dimension)];
    },
    train(batch) {
      if (batch.length) weights = descend(glm, weights, batch, { step, iterations, fraction, tolerance, seed });
    },
    emit: (out) => out([...weights]),
    predict: (rec: Rec) => glm.predict(weights, vectorOf(featuresOf(rec), ctx.label, 'features', dimension)),
    snapshot: () => ({ weights }),
    restore(saved) {
      const model = saved as { weights: number[] };
      if (model.weights.length !== dimension) throw new ExpressionFailed(ctx.label, new Error(`the checkpoint has ${model.weights.length} weights, not ${dimension}`));
      weights = model.weights;
    },
  };
}

interface Descent {
  step: number;
  iterations: number;
  fraction: number;
  tolerance: number;
  seed: number;
}

/**
 * GradientDescent.runMiniBatchSGD with no regularisation: at iteration i, the mean gradient over a
 * sample of the batch, a step of step / sqrt(i) against it, and a stop once two successive weights
 * differ by less than tolerance × max(|w|, 1). With a fraction below 1 each iteration samples the
 * batch with a generator seeded by seed + i (as Spark seeds 42 + i, but not Spark's generator).
 */
function descend(glm: Glm, start: number[], batch: Labelled[], d: Descent): number[] {
  let weights = [...start];
  let previous: number[] | undefined;
  for (let i = 1; i <= d.iterations; i++) {
    const uniform = d.fraction < 1 ? random(d.seed + i) : undefined;
    const gradient = new Array<number>(weights.length).fill(0);
    let size = 0;
    for (const [label, features] of batch) {
      if (uniform && uniform() >= d.fraction) continue;
      glm.gradient(weights, label, features, gradient);
      size++;
    }
    if (!size) continue;
    const stepNow = d.step / Math.sqrt(i);
    weights = weights.map((w, j) => w - stepNow * (gradient[j]! / size));
    if (previous && norm(previous.map((w, j) => w - weights[j]!)) < d.tolerance * Math.max(norm(weights), 1)) break;
    previous = weights;
  }
  return weights;
}

const norm = (v: number[]) => Math.sqrt(dot(v, v));
