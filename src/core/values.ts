// The kinds of value a user writes — a core option, an operator's argument or option, a URI's
// ?key=value — each with one check, one message style and one JSON Schema, wherever it is written.

import { formatDuration, parseDuration } from './duration.ts';
import { messageOf } from './errors.ts';
import { compileExpr, deferExpr, ExprSyntaxError, type Fn, type Role } from './expr.ts';
import { didYouMean } from './suggest.ts';

export type ValueKind =
  /** true or false: a flag given or not */
  | { kind: 'flag' }
  /** nothing: an operator written without an argument (`--count`, `- count`) */
  | { kind: 'none' }
  | { kind: 'int'; min: number; max?: number; metavar?: string }
  /** a decimal number (a damping factor, a tolerance) */
  | { kind: 'number'; min: number; max?: number; metavar?: string }
  | { kind: 'duration'; metavar?: string }
  /** bytes, with coreutils' suffixes: K, M, G (and KiB, MiB, GiB) are powers of 1024, KB, MB, GB of 1000 */
  | { kind: 'size'; min: number; metavar?: string }
  /** LEN[/SLIDE], both multiples of the batch interval */
  | { kind: 'window'; metavar?: string }
  | { kind: 'choice'; choices: readonly string[]; metavar?: string }
  /** JavaScript, compiled once, called with the arguments of its role */
  | { kind: 'expr'; role: Role; metavar?: string }
  /** JavaScript parsed when checked and evaluated when built (a Deferred): combine-by-key's three functions */
  | { kind: 'value'; metavar?: string }
  | { kind: 'path'; metavar?: string }
  | { kind: 'uri'; metavar?: string }
  /** another stream or source of the pipeline, by name (the second input of a join) */
  | { kind: 'stream'; metavar?: string }
  | { kind: 'string'; metavar?: string };

/** A named value a user writes, with what help, man and the JSON Schema say of it. */
export interface Field {
  name: string;
  value: ValueKind;
  summary: string;
  /** As the user would write it; taken through the same check as a value given. */
  default?: string;
  /** A check beyond the kind's (a codec's name, a cron pattern); throws saying what is wrong. */
  check?: (text: string) => void;
  /** What a shell completes for the value, when the kind does not say it (a codec's name, a URI's scheme). */
  complete?: Completion;
}

/** What a shell offers for a value: words, paths, or both. */
export interface Completion {
  words?: readonly string[];
  paths?: 'files' | 'dirs';
  /** Words of `words` that a path follows (`tail:`, `dlq:`): after one, the shell completes the path. */
  pathPrefixes?: readonly string[];
}

/** What a shell completes for a field's value: its own completion, else its kind's (choices; a path). */
export function completionOf(field: Pick<Field, 'value' | 'complete'>): Completion {
  if (field.complete) return field.complete;
  const v = field.value;
  if (v.kind === 'choice') return { words: v.choices };
  if (v.kind === 'path') return { paths: v.metavar === 'DIR' ? 'dirs' : 'files' };
  return {};
}

export interface WindowSpec {
  lengthMs: number;
  slideMs: number;
  /** LEN was given without a slide: every batch, or in event time the length (tumbling windows). */
  slideOmitted?: boolean;
  /** --event-time: a record's own time; the window then closes once the watermark passes its end. */
  eventTime?: Fn;
  /** How messages name the event-time expression: the option of the operator that gave the window, not the aggregate. */
  eventTimeLabel?: string;
  /** --watermark: how far the watermark trails the latest event time seen. */
  watermarkMs?: number;
  /** --event-time-unit: what a numeric event time counts; not given, ms (and a note when it looks like seconds). */
  eventTimeUnit?: 's' | 'ms';
  /** --session GAP: per key, sessions that close after GAP without records (length and slide are GAP, unused). */
  sessionGapMs?: number;
}

/** A value after checking, or what is wrong; `at` is where a syntax error is inside an expression's text. */
export type Checked = { value: unknown } | { error: string; at?: { line: number; column: number } };

/** What some kinds are checked against: a window against the batch interval. */
export interface CheckContext {
  batchMs?: number;
}

/** How help writes a kind's value: its metavar, or a name for the kind. */
export function metavarOf(v: ValueKind): string {
  if (v.kind === 'flag' || v.kind === 'none') return '';
  if (v.metavar) return v.metavar;
  const names: Record<string, string> = { int: 'N', number: 'X', duration: 'DUR', size: 'SIZE', window: 'LEN[/SLIDE]', expr: 'E', value: 'E', path: 'PATH', uri: 'URI', stream: 'STREAM', string: 'VALUE' };
  return v.kind === 'choice' ? v.choices.join('|') : names[v.kind]!;
}

/**
 * Check and convert a value as written: a YAML scalar, a flag's text, a URI parameter. Text is
 * accepted for every kind (a ${VAR} gives text); `true` or nothing stands for a bare key or flag.
 */
export function checkValue(field: Pick<Field, 'value' | 'check'>, raw: unknown, context: CheckContext = {}): Checked {
  const v = field.value;
  if (v.kind === 'flag') {
    if (raw === true || raw === 'true') return { value: true };
    if (raw === false || raw === 'false' || raw === null) return { value: false };
    return { error: `needs true or false, not ${JSON.stringify(raw)}` };
  }
  if (v.kind === 'none') return raw === true || raw === null || raw === undefined ? { value: true } : { error: 'takes no argument' };
  if (raw === true || raw === null || raw === undefined) return { error: `needs an argument ${metavarOf(v)}` };
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return { error: `needs ${metavarOf(v)}, not ${JSON.stringify(raw)}` };
  const text = String(raw);
  const checked = checkText(v, text, context);
  if ('error' in checked || !field.check) return checked;
  try {
    field.check(text);
  } catch (err) {
    return { error: messageOf(err) };
  }
  return checked;
}

function checkText(v: ValueKind, text: string, context: CheckContext): Checked {
  switch (v.kind) {
    case 'int': {
      const n = Number(text);
      const ok = text.trim() !== '' && Number.isInteger(n) && n >= v.min && (v.max === undefined || n <= v.max);
      return ok ? { value: n } : { error: `needs a whole number >= ${v.min}${v.max === undefined ? '' : ` and <= ${v.max}`}, not '${text}'` };
    }
    case 'number': {
      const n = Number(text);
      const ok = text.trim() !== '' && Number.isFinite(n) && n >= v.min && (v.max === undefined || n <= v.max);
      return ok ? { value: n } : { error: `needs a number >= ${v.min}${v.max === undefined ? '' : ` and <= ${v.max}`}, not '${text}'` };
    }
    case 'duration': {
      const ms = parseDuration(text);
      return typeof ms === 'number' ? { value: ms } : ms;
    }
    case 'size': {
      const bytes = parseSize(text);
      return bytes !== undefined && bytes >= v.min ? { value: bytes } : { error: `needs a size in bytes (at least ${v.min}) such as 64M, 10MB or 4096, not '${text}'` };
    }
    case 'window':
      return checkWindow(text, context.batchMs ?? 1);
    case 'choice':
      return v.choices.includes(text) ? { value: text } : { error: `'${text}' is not one of ${v.choices.join(', ')}${didYouMean(text, v.choices)}` };
    case 'expr':
      return compiled(() => compileExpr(text, v.role));
    case 'value':
      return compiled(() => deferExpr(text));
    default:
      return text ? { value: text } : { error: 'needs a non-empty value' };
  }
}

const SIZE = '(\\d+)(K|M|G|KiB|MiB|GiB|KB|MB|GB)?';
const SIZE_FACTORS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, KB: 1e3, MB: 1e6, GB: 1e9 };

function parseSize(text: string): number | undefined {
  const m = new RegExp(`^${SIZE}$`).exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? SIZE_FACTORS[m[2].replace('iB', '')]! : 1);
}

function compiled(compile: () => unknown): Checked {
  try {
    return { value: compile() };
  } catch (err) {
    if (err instanceof ExprSyntaxError) return { error: `syntax error: ${err.message}`, at: { line: err.line, column: err.column } };
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** LEN[/SLIDE]: both multiples of the batch interval; a slide longer than the window samples, as in Spark. */
function checkWindow(text: string, batchMs: number): Checked {
  const [lengthText, slideText, extra] = text.split('/');
  if (extra !== undefined) return { error: `bad window '${text}': use LEN or LEN/SLIDE, e.g. 60s/10s` };
  const lengthMs = parseDuration(lengthText!);
  if (typeof lengthMs !== 'number') return lengthMs;
  const slideMs = slideText === undefined ? batchMs : parseDuration(slideText);
  if (typeof slideMs !== 'number') return slideMs;
  for (const [what, ms] of [['window length', lengthMs], ['slide', slideMs]] as const) {
    if (ms % batchMs !== 0) {
      const below = Math.max(batchMs, Math.floor(ms / batchMs) * batchMs);
      const above = Math.ceil(ms / batchMs) * batchMs;
      const choices = below === above ? formatDuration(below) : `${formatDuration(below)} or ${formatDuration(above)}`;
      return { error: `${what} ${formatDuration(ms)} is not a multiple of the batch interval ${formatDuration(batchMs)}; use ${choices}` };
    }
  }
  return { value: { lengthMs, slideMs, ...(slideText === undefined && { slideOmitted: true }) } satisfies WindowSpec };
}

/** The value a field has when it is not given: its default, checked like any value, or false for a flag. */
export function defaultValue(field: Field, context: CheckContext = {}): unknown {
  if (field.default === undefined) return field.value.kind === 'flag' ? false : undefined;
  const checked = checkValue(field, field.default, context);
  return 'value' in checked ? checked.value : undefined;
}

const DURATION = '\\d+(\\.\\d+)?(ms|s|m|h|d)';

/** The JSON Schema of a field's value, for editors; what it accepts is what checkValue accepts (text for every kind). */
export function valueSchema(field: Pick<Field, 'value' | 'summary' | 'default'>): Record<string, unknown> {
  const base: Record<string, unknown> = { description: field.summary, ...(field.default !== undefined && { default: field.default }) };
  const v = field.value;
  switch (v.kind) {
    case 'flag':
      return { ...base, type: ['boolean', 'null'] };
    case 'none':
      return { ...base, type: ['null', 'boolean'] };
    case 'int':
      return { ...base, type: ['integer', 'string'], minimum: v.min, ...(v.max !== undefined && { maximum: v.max }) };
    case 'number':
      return { ...base, type: ['number', 'string'], minimum: v.min, ...(v.max !== undefined && { maximum: v.max }) };
    case 'duration':
      return { ...base, type: 'string', pattern: `^${DURATION}$` };
    case 'size':
      return { ...base, type: ['integer', 'string'], pattern: `^${SIZE}$` };
    case 'window':
      return { ...base, type: 'string', pattern: `^${DURATION}(/${DURATION})?$` };
    case 'choice':
      return { ...base, enum: [...v.choices] };
    case 'expr':
    case 'value':
      return { ...base, type: ['string', 'number', 'boolean'] };
    default:
      return { ...base, type: 'string', minLength: 1 };
  }
}
