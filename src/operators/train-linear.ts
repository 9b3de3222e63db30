// train-linear: MLlib's StreamingLinearRegressionWithSGD on labelled points [label, features]: least
// squares by mini-batch gradient descent from the weights of the batch before; emits the weights each
// batch, or [x, w·x] with predict / predict-on.

import type { ModelOperator } from './operator.ts';
import { dot } from './model.ts';
import { SGD_OPTIONS, sgdLearner, sgdProblem, type Glm } from './sgd.ts';

const leastSquares: Glm = {
  gradient(weights, label, features, into) {
    const diff = dot(features, weights) - label;
    for (let j = 0; j < into.length; j++) into[j]! += diff * features[j]!;
  },
  predict: (weights, features) => dot(weights, features),
};

export const trainLinear: ModelOperator = {
  name: 'train-linear',
  kind: 'model',
  summary: 'linear regression on [label, features] as they come (StreamingLinearRegressionWithSGD): the weights each batch',
  group: 'model',
  arg: { kind: 'none' },
  options: SGD_OPTIONS,
  example: `--map 'JSON.parse(x)' --train-linear --dimension 3 --step-size 0.5 --iterations 25`,
  check: ({ options }) => sgdProblem('train-linear', options),
  learner: (ctx) => sgdLearner(ctx, leastSquares),
};
