// Checks and converts operator arguments and options (ArgSpec) once, before anything runs:
// expressions are compiled, durations and windows parsed and checked against the batch interval.

import { formatDuration, parseDuration } from '../core/duration.ts';
import { compileExpr, evaluate, ExprSyntaxError } from '../core/expr.ts';
import type { ArgSpec, ArgValue, WindowSpec } from '../operators/operator.ts';

/** A failed check; `at` is the position of a syntax error inside an expression's text. */
export type Checked = { value: ArgValue } | { error: string; at?: { line: number; column: number } };

export function checkArg(spec: ArgSpec, raw: unknown, batchMs: number): Checked {
  if (spec.kind === 'none') {
    return raw === true || raw === null || raw === undefined ? { value: true } : { error: 'takes no argument' };
  }
  if (raw === true || raw === undefined || raw === null) return { error: `needs an argument ${spec.metavar ?? ''}`.trimEnd() };
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
  if (text === undefined) return { error: `needs ${spec.metavar ?? 'a value'}, not ${JSON.stringify(raw)}` };
  switch (spec.kind) {
    case 'expr':
      return compiled(() => compileExpr(text, spec.role));
    case 'value':
      return compiled(() => evaluate(text));
    case 'int': {
      const n = Number(text);
      return Number.isInteger(n) && n >= spec.min ? { value: n } : { error: `needs a whole number >= ${spec.min}, not '${text}'` };
    }
    case 'duration': {
      const ms = parseDuration(text);
      return typeof ms === 'number' ? { value: ms } : ms;
    }
    case 'window':
      return checkWindow(text, batchMs);
    case 'path':
    case 'string':
    case 'stream':
      return text ? { value: text } : { error: 'needs a non-empty value' };
  }
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
export function checkWindow(text: string, batchMs: number): Checked {
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
