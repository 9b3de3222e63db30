// Writes test/spark/mllib/batches.json: the seeded batches that Spark MLlib (MllibReference.java) and
// sluice's model operators (test/mllib.test.ts) both learn from, with each case's parameters.

import { writeFileSync } from 'node:fs';
import { random } from '../../../src/core/random.ts';

const uniform = random(2026);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const times = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

/** Points around `means`, `n` a batch, each from a mean picked at random. */
const blobs = (means: number[][], spread: number, n: number, batches: number) =>
  times(batches, () => times(n, () => means[Math.floor(uniform() * means.length)]!.map((m) => m + spread * gaussian())));

/** Labelled points [label, features] of random features, labelled by `label`. */
const labelled = (dimension: number, n: number, batches: number, label: (x: number[]) => number) =>
  times(batches, () => times(n, () => {
    const x = times(dimension, () => gaussian());
    return [label(x), x];
  }));

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Two groups' values [isExperiment, value], the experiment's mean `shift` higher. */
const groups = (n: number, batches: number, shift: number, spreads: [number, number]) =>
  times(batches, () => times(2 * n, (i) => [i % 2 === 1, (i % 2 ? shift : 0) + 10 + spreads[i % 2]! * gaussian()]));

const cases = {
  kmeans: [
    { name: 'three blobs, decay 0.7 a batch', k: 3, decay: 0.7, timeUnit: 'batches', centres: [[0, 0], [1, 1], [-1, 1]], initialWeight: 0, batches: blobs([[5, 5], [-5, 5], [0, -5]], 1, 60, 8) },
    { name: 'half-life of 50 points, 3 dimensions', k: 2, halfLife: 50, timeUnit: 'points', centres: [[0, 0, 0], [0.5, 0.5, 0.5]], initialWeight: 10, batches: blobs([[2, 0, 1], [-2, 1, 0]], 0.5, 40, 6) },
    { name: 'a centre far from every point dies and splits the largest', k: 3, decay: 1, timeUnit: 'batches', centres: [[0, 0], [3, 3], [100, 100]], initialWeight: 0, batches: blobs([[0, 0], [3, 3]], 0.7, 50, 5) },
  ],
  linear: [
    { name: 'three features, the defaults', stepSize: 0.1, iterations: 50, initialWeights: [0, 0, 0], batches: labelled(3, 50, 10, (x) => dot(x, [1.5, -2, 0.5]) + 0.1 * gaussian()) },
    { name: 'two features, step 0.5, 25 iterations, from [1, -1]', stepSize: 0.5, iterations: 25, initialWeights: [1, -1], batches: labelled(2, 30, 8, (x) => dot(x, [-0.5, 3]) + 0.2 * gaussian()) },
  ],
  logistic: [
    { name: 'three features, step 0.5, 30 iterations', stepSize: 0.5, iterations: 30, initialWeights: [0, 0, 0], batches: labelled(3, 80, 8, (x) => (uniform() < 1 / (1 + Math.exp(-dot(x, [2, -1, 0.5]))) ? 1 : 0)) },
  ],
  streamingTest: [
    { name: "Welch's, peace period 2, all batches", method: 'welch', peacePeriod: 2, windowSize: 0, batches: groups(20, 8, 0.3, [1, 2]) },
    { name: "Welch's, a window of 3 batches", method: 'welch', peacePeriod: 0, windowSize: 3, batches: groups(15, 7, 1, [1, 1.5]) },
    { name: "Student's, peace period 1, a window of 2", method: 'student', peacePeriod: 1, windowSize: 2, batches: groups(10, 6, 0.5, [1, 1]) },
  ],
};

writeFileSync(new URL('batches.json', import.meta.url), `${JSON.stringify(cases)}\n`);
