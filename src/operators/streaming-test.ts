// streaming-test: MLlib's StreamingTest on records [isExperiment, value]: after a peace period of
// batches, a two-sample t-test (Welch's, or Student's) of the experiment's values against the
// control's, over the last N batches or everything since the peace period; emits one result per
// batch, as Spark's StreamingTestResult. The groups' summaries are checkpointed.

import { twoSidedP } from '../core/student-t.ts';
import { ExpressionFailed, preview, type ModelOperator } from './operator.ts';

/** A group's values as Spark's StatCounter keeps them: their count, mean and sum of squared deviations. */
interface Summary {
  n: number;
  mean: number;
  m2: number;
}

const empty = (): Summary => ({ n: 0, mean: 0, m2: 0 });

/** Add one value (Welford's update, as StatCounter.merge(value)). */
function addValue(s: Summary, value: number): void {
  const delta = value - s.mean;
  s.n++;
  s.mean += delta / s.n;
  s.m2 += delta * (value - s.mean);
}

/** Add another summary (Chan's update, as StatCounter.merge(other)). */
function addSummary(s: Summary, other: Summary): void {
  if (!other.n) return;
  if (!s.n) return void Object.assign(s, other);
  const delta = other.mean - s.mean;
  const n = s.n + other.n;
  s.mean = s.n * 10 < other.n ? other.mean - (delta * s.n) / n : other.n * 10 < s.n ? s.mean + (delta * other.n) / n : (s.mean * s.n + other.mean * other.n) / n;
  s.m2 += other.m2 + (delta * delta * s.n * other.n) / n;
  s.n = n;
}

/** [control, experiment] */
type Groups = [Summary, Summary];

const METHODS = {
  welch: { name: "Welch's 2-sample t-test", test: welch },
  student: { name: "Student's 2-sample t-test", test: student },
};

export const streamingTest: ModelOperator = {
  name: 'streaming-test',
  kind: 'model',
  summary: "test whether [true, value]'s mean differs from [false, value]'s (StreamingTest): {pValue, statistic, ...} each batch",
  group: 'model',
  arg: { kind: 'none' },
  options: {
    'peace-period': { arg: { kind: 'int', min: 0, metavar: 'N' }, summary: 'streaming-test: leave out the first N batches of the run (0)' },
    'window-size': { arg: { kind: 'int', min: 0, metavar: 'N' }, summary: 'streaming-test: test the last N batches (0: all since the peace period)' },
    'test-method': { arg: { kind: 'choice', choices: ['welch', 'student'] }, summary: "streaming-test: Welch's t-test (unequal variances) or Student's (equal)" },
  },
  example: `--map 'x.split(" ")' --map '[x[0] === "B", Number(x[1])]' --streaming-test --window-size 10`,
  learner(ctx) {
    const peace = (ctx.options['peace-period'] as number | undefined) ?? 0;
    const size = (ctx.options['window-size'] as number | undefined) ?? 0;
    const method = METHODS[(ctx.options['test-method'] as keyof typeof METHODS | undefined) ?? 'welch'];
    let batches = 0;
    /** window-size 0: the summaries since the peace period; else the last `size` batches' each. */
    let panes: Groups[] = [];
    return {
      parse(rec) {
        const ok = Array.isArray(rec) && rec.length === 2 && typeof rec[0] === 'boolean' && typeof rec[1] === 'number' && Number.isFinite(rec[1]);
        if (!ok) throw new ExpressionFailed(ctx.label, new TypeError(`needs [isExperiment (true or false), value], got ${preview(rec)}`));
        return rec;
      },
      train(batch) {
        batches++;
        const pane: Groups = [empty(), empty()];
        if (batches > peace) for (const [experiment, value] of batch as [boolean, number][]) addValue(pane[experiment ? 1 : 0], value);
        if (size === 0) panes = [panes.length ? merged([...panes, pane]) : pane];
        else panes = [...panes, pane].slice(-size);
      },
      emit(out) {
        const [control, experiment] = merged(panes);
        // Spark tests a group against itself when the other has no values, and fails on one with one
        if (control.n < 2 || experiment.n < 2) return;
        out({ ...method.test(control, experiment), method: method.name, nullHypothesis: 'Both groups have same mean' });
      },
      snapshot: () => ({ batches, panes }),
      restore(saved) {
        ({ batches, panes } = saved as { batches: number; panes: Groups[] });
      },
    };
  },
};

function merged(panes: Groups[]): Groups {
  const groups: Groups = [empty(), empty()];
  for (const [control, experiment] of panes) {
    addSummary(groups[0], control);
    addSummary(groups[1], experiment);
  }
  return groups;
}

/** The variance Spark gives commons-math's TTest: StatCounter.variance, the population's (over n). */
const variance = (s: Summary) => s.m2 / s.n;

/** commons-math TTest.t and tTest: unequal variances, Welch–Satterthwaite degrees of freedom. */
function welch(a: Summary, b: Summary) {
  const [va, vb] = [variance(a) / a.n, variance(b) / b.n];
  const statistic = (a.mean - b.mean) / Math.sqrt(va + vb);
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { pValue: twoSidedP(statistic, degreesOfFreedom), degreesOfFreedom, statistic };
}

/** commons-math TTest.homoscedasticT and homoscedasticTTest: a pooled variance, n1 + n2 - 2 degrees of freedom. */
function student(a: Summary, b: Summary) {
  const degreesOfFreedom = a.n + b.n - 2;
  const pooled = ((a.n - 1) * variance(a) + (b.n - 1) * variance(b)) / degreesOfFreedom;
  const statistic = (a.mean - b.mean) / Math.sqrt(pooled * (1 / a.n + 1 / b.n));
  return { pValue: twoSidedP(statistic, degreesOfFreedom), degreesOfFreedom, statistic };
}
