// quantiles: the quantiles --q of the numbers E, from a DDSketch (@datadog/sketches-js): each within
// 1% of the true value's magnitude whatever the distribution, in memory that grows with the log of the
// values' range, not their number; sketches merge exactly, so a window's is its panes' merged.

import { DDSketch } from '@datadog/sketches-js';
import type { Fn } from '../core/expr.ts';
import { ExpressionFailed, preview, type AggregateOperator } from './operator.ts';
import { BY_OPTION, sketchAggregator, type SketchKind } from './sketch.ts';

export const RELATIVE_ACCURACY = 0.01;
const DEFAULT_QUANTILES = '0.5,0.9,0.99';

/** The quantiles of a `q` option's text, or what is wrong with it. */
function quantilesOf(text: string): number[] | string {
  const qs = text.split(',').map((q) => q.trim());
  const bad = qs.find((q) => !/^(0(\.\d+)?|1(\.0*)?|\.\d+)$/.test(q));
  return bad === undefined ? qs.map(Number) : `q: '${bad}' is not a quantile: give numbers from 0 to 1 separated by commas, e.g. 0.5,0.9,0.99`;
}

function ddKind(label: string, qs: number[], texts: string[]): SketchKind<DDSketch> {
  return {
    create: () => new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }),
    add(sketch, value) {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) throw new ExpressionFailed(label, new TypeError(`needs numbers, got ${preview(value)}`));
      sketch.accept(n);
    },
    merge: (into, other) => into.merge(other),
    // an empty sketch has no quantiles: null for each
    result: (sketch) => Object.fromEntries(qs.map((q, i) => [texts[i], sketch.count ? sketch.getValueAtQuantile(q) : null])),
    save: (sketch) => Buffer.from(sketch.toProto()).toString('base64'),
    load: (saved) => DDSketch.fromProto(new Uint8Array(Buffer.from(saved as string, 'base64'))),
  };
}

export const quantiles: AggregateOperator = {
  name: 'quantiles',
  kind: 'aggregate',
  summary: 'the quantiles --q of the numbers E, as {q: value}, each within 1% of the true value (a DDSketch)',
  group: 'aggregate',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  options: {
    ...BY_OPTION,
    q: { arg: { kind: 'string', metavar: 'Q,...' }, summary: `quantiles: which, from 0 to 1 (${DEFAULT_QUANTILES})` },
  },
  example: `--quantiles x.length --q 0.5,0.99`,
  check({ options }) {
    const qs = options.q === undefined ? [] : quantilesOf(options.q as string);
    return typeof qs === 'string' ? qs : undefined;
  },
  aggregate(ctx) {
    const texts = ((ctx.options.q as string | undefined) ?? DEFAULT_QUANTILES).split(',').map((q) => q.trim());
    return sketchAggregator(ctx, ctx.arg as Fn, ddKind(ctx.label, quantilesOf(texts.join(',')) as number[], texts));
  },
};
