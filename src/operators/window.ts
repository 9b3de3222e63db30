// window: makes the aggregate after it run over the last LEN, every SLIDE; with --event-time, over
// the records' own times. With no aggregate after it, it gives every record of the window at each
// slide (Spark's window()). The windowed forms (count-by-window, reduce-by-key-and-window...) are
// made here from their per-batch aggregates, with the same event-time options.

import type { Fn } from '../core/expr.ts';
import type { Aggregator, Rec } from '../core/stream.ts';
import type { AggregateOperator, ArgSpec, ArgValue, ModifierOperator, OpContext, WindowSpec } from './operator.ts';

export const EVENT_TIME_OPTIONS: Record<string, { arg: ArgSpec; summary: string }> = {
  'event-time': {
    arg: { kind: 'expr', role: 'record', metavar: 'E' },
    summary: "window by the record's own time E (epoch ms, ISO 8601 or CLF timestamp), not by arrival",
  },
  watermark: {
    arg: { kind: 'duration', metavar: 'DUR' },
    summary: 'with --event-time: how far behind the latest time a window still waits for late records (0)',
  },
  'event-time-unit': {
    arg: { kind: 'choice', choices: ['ms', 's'], metavar: 'ms|s' },
    summary: 'with --event-time: what a numeric time counts, epoch ms (the default) or epoch seconds (fractions kept)',
  },
};

/** The window of reduce-by-window and reduce-by-key-and-window, whose argument is their function. */
export const OVER_OPTION: Record<string, { arg: ArgSpec; summary: string; required: boolean }> = {
  over: { arg: { kind: 'window', metavar: 'LEN[/SLIDE]' }, summary: 'the window: its length and how often it is emitted (default: every batch)', required: true },
};

/** The window a windowed form's `over` option gives. */
export function overWindow(_arg: ArgValue, options: Record<string, ArgValue>): WindowSpec | undefined {
  return withEventTime(options.over as WindowSpec | undefined, options);
}

/** The window `spec` in event time when the options ask for it; LEN alone then means tumbling windows. */
export function withEventTime(spec: WindowSpec | undefined, options: Record<string, ArgValue>): WindowSpec | undefined {
  if (!spec || options['event-time'] === undefined) return spec;
  return {
    ...spec,
    slideMs: spec.slideOmitted ? spec.lengthMs : spec.slideMs,
    eventTime: options['event-time'] as Fn,
    watermarkMs: (options.watermark as number | undefined) ?? 0,
    eventTimeUnit: options['event-time-unit'] as 's' | 'ms' | undefined,
  };
}

/** The options' own problem: a watermark or a unit without an event time means nothing. */
export function checkEventTime({ options }: Pick<OpContext, 'options'>): string | undefined {
  if (options['event-time'] !== undefined) return undefined;
  if (options.watermark !== undefined) return 'watermark needs event-time: a watermark only applies to event time';
  if (options['event-time-unit'] !== undefined) return 'event-time-unit needs event-time: it says what the event time counts';
  return undefined;
}

export const window: ModifierOperator = {
  name: 'window',
  kind: 'window',
  summary: 'run the next aggregate over the last LEN, every SLIDE (default: the batch interval); with no aggregate next, emit every record of the window',
  group: 'window',
  arg: { kind: 'window', metavar: 'LEN[/SLIDE]' },
  options: EVENT_TIME_OPTIONS,
  example: `--window 60s/10s --count-by-value`,
  windowOf: (arg, options) => withEventTime(arg as WindowSpec, options),
  check: checkEventTime,
};

/** The records themselves as a window's aggregate, in the order the window holds them. */
const records: Aggregator<Rec[]> = {
  empty: () => [],
  add(state, rec) {
    state.push(rec);
    return state;
  },
  // the window stage merges into a fresh empty() or its own running result, never into a pane
  merge(into, pane) {
    for (const rec of pane) into.push(rec);
    return into;
  },
  emit(state, out) {
    for (const rec of state) out(rec);
  },
};

/** window with no aggregate after it (Spark's WindowedDStream): the chain runs it as this aggregate. */
export const windowAlone: AggregateOperator = { ...window, kind: 'aggregate', aggregate: () => records };

/**
 * A per-batch aggregate's windowed form. One that takes no argument gets the window as its argument
 * (count-by-window 60s); one whose argument is its function gets it as --over (reduce-by-window E --over 60s).
 */
export function windowedForm(base: AggregateOperator, form: Pick<AggregateOperator, 'name' | 'summary' | 'example'>): AggregateOperator {
  const over = base.arg.kind !== 'none';
  return {
    ...form,
    kind: 'aggregate',
    group: 'window',
    arg: over ? base.arg : { kind: 'window', metavar: 'LEN[/SLIDE]' },
    options: over ? { ...OVER_OPTION, ...base.options, ...EVENT_TIME_OPTIONS } : EVENT_TIME_OPTIONS,
    aggregate: base.aggregate,
    windowOf: over ? overWindow : (arg, options) => withEventTime(arg as WindowSpec, options),
    check: (op) => base.check?.(op) ?? checkEventTime(op),
  };
}
