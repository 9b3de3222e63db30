// What the MLlib operators share: how a model becomes a stage (it learns from each complete batch,
// then emits what it says, or its answers for the batch's own records with `predict`, or for another
// stream's with `predict-on`), the options for that, and the vectors they read.

import { pairStage, type Downstream, type Rec } from '../core/stream.ts';
import { ExpressionFailed, preview, type Learner, type OpContext } from './operator.ts';

/** The options of a model that predicts. */
export const PREDICT_OPTIONS = {
  predict: { arg: { kind: 'none' }, summary: "emit [x, prediction] for each of the batch's own records instead of the model, once it has learnt from them (predict-on: STREAM in a pipeline file: for another stream's)" },
  'predict-on': { arg: { kind: 'stream', metavar: 'STREAM' }, summary: "emit [x, prediction] for each of STREAM's records instead of the model, once it has learnt from the batch" },
} as const;

/** What is wrong with how a model's predict options go together. */
export function predictProblem(name: string, options: Record<string, unknown>): string | undefined {
  return options.predict === true && options['predict-on'] !== undefined ? `${name} takes predict or predict-on, not both` : undefined;
}

/** The model's stage: it learns from a batch when the batch is complete, so a prediction sees the model of its own batch (Spark's trainOn before predictOn). */
export function modelStage(learner: Learner, ctx: OpContext, next: Downstream, second?: (stream: string, input: Downstream) => void): Downstream {
  ctx.keep(learner);
  const answer = (rec: Rec) => [rec, learner.predict!(rec)];
  const predictOn = ctx.options['predict-on'] as string | undefined;
  if (predictOn !== undefined) {
    if (!second) throw new Error(`${ctx.label}: predict-on needs a pipeline`);
    const { left, right } = pairStage((training, queries, out) => {
      learner.train(training); // parsed as they came, below
      for (const rec of queries) out(answer(rec));
    }, next);
    second(predictOn, right);
    // each record is checked as it comes, where a bad one can be told apart from the rest
    return { begin: (time) => left.begin(time), push: (rec) => left.push(learner.parse(rec)), end: (last) => left.end(last) };
  }
  const predict = ctx.options.predict === true;
  let batch: unknown[] = [];
  let records: Rec[] = [];
  return {
    begin(time) {
      batch = [];
      records = [];
      next.begin(time);
    },
    push(rec) {
      batch.push(learner.parse(rec));
      if (predict) records.push(rec);
    },
    end(last) {
      learner.train(batch);
      if (predict) for (const rec of records) next.push(answer(rec));
      else learner.emit((rec) => next.push(rec));
      batch = [];
      records = [];
      return next.end(last);
    },
  };
}

/** A vector of finite numbers, of `dimension` numbers when it is known. */
export function vectorOf(value: unknown, label: string, what: string, dimension?: number): number[] {
  const ok = Array.isArray(value) && value.length > 0 && value.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!ok) throw new ExpressionFailed(label, new TypeError(`needs ${what} as an array of numbers, got ${preview(value)}`));
  if (dimension !== undefined && value.length !== dimension) {
    throw new ExpressionFailed(label, new TypeError(`needs ${what} of ${dimension} numbers, got ${value.length}: ${preview(value)}`));
  }
  return value as number[];
}

/** The JSON text of an option (`--centres '[[0, 0], [1, 1]]'`), or what is wrong with it. */
export function jsonOption(text: unknown, name: string): { value: unknown } | { error: string } {
  if (text === undefined) return { value: undefined };
  try {
    return { value: JSON.parse(text as string) };
  } catch {
    return { error: `${name}: needs JSON, such as [0.5, 1], not ${preview(text)}` };
  }
}

export const dot = (a: readonly number[], b: readonly number[]) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

/** The options the MLlib operators share, under one name each. */
export const SHARED_OPTIONS = {
  dimension: { arg: { kind: 'int', min: 1, metavar: 'D' }, summary: 'kmeans, train-linear, train-logistic: the number of features of a vector, for random centres or zero initial weights' },
  seed: { arg: { kind: 'int', min: 0, metavar: 'N' }, summary: "kmeans, train-linear, train-logistic: the seed of the random centres, or of the mini-batches' sampling (42)" },
} as const;

/** A record's features: the record itself, or the vector of a pair [key, vector] (a labelled point [label, features]). */
export function featuresOf(rec: Rec): unknown {
  return Array.isArray(rec) && rec.length === 2 && Array.isArray(rec[1]) ? rec[1] : rec;
}

