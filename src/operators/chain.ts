// A stream's chain of operators: its specs as written turned into checked operators (every problem
// at once, every expression compiled once), and those operators built into stages in front of the next.

import { OnError } from '../core/on-error.ts';
import { Pressure } from '../core/pressure.ts';
import { aggregateStage, pairStage, type Downstream } from '../core/stream.ts';
import { didYouMean } from '../core/suggest.ts';
import { checkValue } from '../core/values.ts';
import { operator, OPERATORS } from './index.ts';
import type { OpContext, OperatorDef, OpSpec, Stateful, WindowSpec } from './operator.ts';
import { windowAlone } from './window.ts';
import { windowStage } from './window-stage.ts';
import { sessionStage } from './session.ts';
import { modelStage } from './model.ts';

/** A per-record operator: it may run inside a window before its aggregate, or on repartition's threads. */
const isPerRecord = (def: OperatorDef) => def.kind === 'stage' && def.perRecord === true;

export interface ResolvedOp {
  def: OperatorDef;
  /** Everything but what the graph being built supplies: where state is kept, pressure, --on-error. */
  ctx: Omit<OpContext, 'keep' | 'pressure' | 'onError'>;
  /** As written, for stages that rebuild the operator elsewhere (a repartition worker). */
  spec: OpSpec;
  /** A windowed aggregate's per-record operators written between the window and it: they run inside the window. */
  inner?: ResolvedOp[];
}

export interface OpProblem {
  /** The label of the operator concerned (a position can be looked up from it). */
  at: OpSpec;
  /** The option concerned, when it is one of the operator's options rather than its argument. */
  option?: string;
  /** Where inside the expression's text a syntax error is. */
  inExpr?: { line: number; column: number };
  message: string;
}

export function resolveOps(ops: OpSpec[], batchMs: number): { ops: ResolvedOp[]; problems: OpProblem[] } {
  const resolved: ResolvedOp[] = [];
  const problems: OpProblem[] = [];
  let window: { spec: OpSpec; ctx: ResolvedOp['ctx']; inner: ResolvedOp[] } | undefined;
  /** A window with no aggregate after it gives the window's records themselves (Spark's window()). */
  const windowRecords = () => {
    if (window) resolved.push({ def: windowAlone, ctx: window.ctx, spec: window.spec, ...(window.inner.length && { inner: window.inner }) });
    window = undefined;
  };
  for (const spec of ops) {
    const def = operator(spec.op);
    if (!def) {
      problems.push({ at: spec, message: `unknown operator '${spec.op}'${didYouMean(spec.op, OPERATORS.map((o) => o.name))}` });
      continue;
    }
    const arg = checkValue({ value: def.arg }, spec.arg, { batchMs });
    if ('error' in arg) problems.push({ at: spec, inExpr: arg.at, message: arg.error });
    const options: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(spec.options)) {
      const option = def.options?.[name];
      if (!option) {
        const known = Object.keys(def.options ?? {});
        problems.push({ at: spec, option: name, message: `${def.name} has no option '${name}'${didYouMean(name, known)}` });
        continue;
      }
      const checked = checkValue({ value: option.arg }, raw, { batchMs });
      if ('error' in checked) problems.push({ at: spec, option: name, inExpr: checked.at, message: `${name}: ${checked.error}` });
      else options[name] = checked.value;
    }
    for (const [name, option] of Object.entries(def.options ?? {})) {
      if (option.required && !(name in spec.options)) problems.push({ at: spec, message: `${def.name} needs its option '${name}'` });
    }
    const ctx: ResolvedOp['ctx'] = { arg: 'value' in arg ? arg.value : undefined, options, label: spec.label, batchMs };
    let inner: ResolvedOp[] = [];
    if (def.kind === 'window') {
      if (window) problems.push({ at: window.spec, message: 'a window right after another one: leave one out' });
      const value = 'value' in arg ? def.windowOf(arg.value, options) : undefined;
      if (value) window = { spec, ctx: { ...ctx, window: { ...value, eventTimeLabel: `${spec.label}: event-time` } }, inner: [] };
    } else if (window && isPerRecord(def)) {
      // as in Spark, window(...).map(...).reduceByKey(...): per-record operators see each record
      // inside the window, after its event time has been read from it as it entered
      window.inner.push({ def, ctx, spec });
      continue;
    } else if (window) {
      if (def.kind === 'aggregate' && !def.windowOf) {
        ctx.window = window.ctx.window;
        inner = window.inner;
        window = undefined;
      } else if (def.kind === 'aggregate') {
        problems.push({ at: window.spec, message: `${def.name} has a window of its own: leave out the window before it` });
        window = undefined;
      } else windowRecords();
    } else if (def.kind === 'aggregate' && def.windowOf && 'value' in arg) {
      const value = def.windowOf(arg.value, options);
      ctx.window = value && { ...value, eventTimeLabel: `${spec.label}: event-time` };
    }
    const problem = def.check?.(ctx);
    if (problem) problems.push({ at: spec, message: problem });
    if (def.kind === 'window') continue;
    resolved.push({ def, ctx, spec, ...(inner.length && { inner }) });
  }
  windowRecords();
  return { ops: resolved, problems };
}

/** What a chain of operators is built with, beyond the operators themselves. */
export interface ChainEnv {
  /** Receives the state of operators that have some, by their index in the chain. */
  keep?: (index: number, state: Stateful) => void;
  /** The other input of a pair operator (a join), to be fed by the stream it names. */
  second?: (stream: string, input: Downstream) => void;
  pressure?: Pressure;
  onError?: OnError;
}

/** Chain operators in front of `next`. */
export function buildChain(ops: ResolvedOp[], next: Downstream, env: ChainEnv = {}): Downstream {
  const pressure = env.pressure ?? new Pressure();
  const onError = env.onError ?? new OnError('fail');
  let head = next;
  for (let i = ops.length - 1; i >= 0; i--) {
    const ctx: OpContext = { ...ops[i]!.ctx, pressure, onError, keep: (state) => env.keep?.(i, state) };
    const def = ops[i]!.def;
    if (def.kind === 'stage') head = def.stage(ctx, head);
    else if (def.kind === 'aggregate') {
      const agg = def.aggregate(ctx);
      const inner = ops[i]!.inner;
      const within = inner && ((into: Downstream) => buildChain(inner, into, env));
      if (!ctx.window) head = aggregateStage(agg, head);
      else head = ctx.window.sessionGapMs === undefined ? windowStage(agg, ctx, head, within) : sessionStage(agg, ctx, head, within);
    } else if (def.kind === 'model') {
      head = modelStage(def.learner(ctx), ctx, head, env.second);
    } else if (def.kind === 'pair') {
      if (!env.second) throw new Error(`${ctx.label}: a second stream needs a pipeline`);
      const { left, right } = pairStage(def.combine(ctx), head);
      env.second(ctx.arg as string, right);
      head = left;
    } else if (def.kind === 'parallel') {
      // it takes over the per-record operators right after it, built above: rebuild from there
      let end = i + 1;
      while (end < ops.length && isPerRecord(ops[end]!.def)) end++;
      const rest = buildChain(ops.slice(end), next, { ...env, keep: (j, state) => env.keep?.(end + j, state) });
      head = def.parallel(ctx, ops.slice(i + 1, end).map((op) => op.spec), rest);
    }
  }
  return head;
}
