// The pipeline file's schema, derived from the core option table and the operator registry (the
// same ones the flag chain reads): which keys go where, and how each option's value is checked.

import { OPTIONS, type OptionDef } from './options.ts';
import { parseDuration } from '../core/duration.ts';
import { messageOf } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';

/** The sections of a pipeline file besides the top-level options. */
export const SECTIONS = ['sources', 'streams', 'sinks'] as const;

/** The keys of a stream: what it reads and what it does to it. */
export const STREAM_KEYS = ['from', 'ops'] as const;

/** The options a pipeline file takes at the top level, in each source, or in each sink. */
export function optionsIn(scope: 'top' | 'source' | 'sink'): OptionDef[] {
  return OPTIONS.filter((o) => (o.scope ?? 'top') === scope);
}

/** The keys a sink takes: the stream it reads, then its options (`out`, `format`, ...). */
export function sinkKeys(): string[] {
  return ['from', ...optionsIn('sink').map((o) => o.name)];
}

/**
 * The PipelineSpec field an option fills: its name in camelCase, as commander names the parsed flag
 * the flag chain reads, with `Ms` for a duration (the spec keeps milliseconds).
 */
export function fieldOf(option: OptionDef): string {
  return option.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) + (option.type === 'duration' ? 'Ms' : '');
}

/** A value as the spec keeps it, or what is wrong with it; strings are accepted for every type (${VAR} gives strings). */
export function checkOption(option: OptionDef, raw: unknown): { value: unknown } | { error: string } {
  if (!option.metavar) {
    if (raw === true || raw === 'true') return { value: true };
    if (raw === false || raw === 'false' || raw === null) return { value: false };
    return { error: `needs true or false, not ${JSON.stringify(raw)}` };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return { error: `needs ${option.metavar}, not ${JSON.stringify(raw) ?? 'nothing'}` };
  const text = String(raw);
  if (option.choices && !option.choices.includes(text)) {
    return { error: `'${text}' is not one of ${option.choices.join(', ')}${didYouMean(text, option.choices)}` };
  }
  if (option.type === 'duration') {
    const ms = parseDuration(text);
    return typeof ms === 'number' ? { value: ms } : ms;
  }
  if (option.type === 'int') {
    const n = Number(text);
    const min = option.min ?? 0;
    return Number.isInteger(n) && n >= min ? { value: n } : { error: `needs a whole number >= ${min}, not '${text}'` };
  }
  try {
    option.check?.(text);
  } catch (err) {
    return { error: messageOf(err) };
  }
  return { value: text };
}

/** The spec's value of an option that is not given: its default, or false for a flag. */
export function defaultOf(option: OptionDef): unknown {
  if (option.default === undefined) return option.metavar ? undefined : false;
  const checked = checkOption(option, option.default);
  return 'value' in checked ? checked.value : undefined;
}
