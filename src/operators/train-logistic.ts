// train-logistic: MLlib's StreamingLogisticRegressionWithSGD on labelled points [label (0 or 1),
// features]: logistic loss by mini-batch gradient descent from the weights of the batch before; emits
// the weights each batch, or [x, 0 or 1] with predict / predict-on (1 when the probability is over 0.5).

import type { ModelOperator } from './operator.ts';
import { dot } from './model.ts';
import { SGD_OPTIONS, sgdLearner, sgdProblem, type Glm } from './sgd.ts';

const logistic: Glm = {
  gradient(weights, label, features, into) {
    const multiplier = 1 / (1 + Math.exp(-dot(features, weights))) - label;
    for (let j = 0; j < into.length; j++) into[j]! += multiplier * features[j]!;
  },
  predict: (weights, features) => (1 / (1 + Math.exp(-dot(weights, features))) > 0.5 ? 1 : 0),
  label: { ok: (label) => label === 0 || label === 1, what: '0 or 1' },
};

export const trainLogistic: ModelOperator = {
  name: 'train-logistic',
  kind: 'model',
  summary: 'logistic regression on [label (0 or 1), features] as they come (StreamingLogisticRegressionWithSGD): the weights each batch',
  group: 'model',
  arg: { kind: 'none' },
  options: SGD_OPTIONS,
  example: `--map 'JSON.parse(x)' --train-logistic --dimension 3 --predict`,
  check: ({ options }) => sgdProblem('train-logistic', options),
  learner: (ctx) => sgdLearner(ctx, logistic),
};
