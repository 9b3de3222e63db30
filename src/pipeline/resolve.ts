// Turns a stream's operator specs into checked operators, collecting every problem at once.

import { operator, OPERATORS } from '../operators/index.ts';
import type { OpContext, OperatorDef, WindowSpec } from '../operators/operator.ts';
import type { OpSpec } from './pipeline.ts';
import { checkArg } from './args.ts';
import { didYouMean } from '../core/suggest.ts';

export interface ResolvedOp {
  def: OperatorDef;
  /** Everything but `keep`, which the graph being built supplies. */
  ctx: Omit<OpContext, 'keep' | 'pressure' | 'onError' | 'inputEnded'>;
  /** As written, for stages that rebuild the operator elsewhere (a repartition worker). */
  spec: OpSpec;
  /** A windowed aggregate's per-record operators written between the window and it: they run inside the window. */
  inner?: ResolvedOp[];
}

export interface Problem {
  /** The label of the operator concerned (a position can be looked up from it). */
  at: OpSpec;
  /** The option concerned, when it is one of the operator's options rather than its argument. */
  option?: string;
  /** Where inside the expression's text a syntax error is. */
  inExpr?: { line: number; column: number };
  message: string;
}

export function resolveOps(ops: OpSpec[], batchMs: number): { ops: ResolvedOp[]; problems: Problem[] } {
  const resolved: ResolvedOp[] = [];
  const problems: Problem[] = [];
  let window: { spec: OpSpec; value: WindowSpec; inner: ResolvedOp[] } | undefined;
  for (const spec of ops) {
    const def = operator(spec.op);
    if (!def) {
      problems.push({ at: spec, message: `unknown operator '${spec.op}'${didYouMean(spec.op, OPERATORS.map((o) => o.name))}` });
      continue;
    }
    const arg = checkArg(def.arg, spec.arg, batchMs);
    if ('error' in arg) problems.push({ at: spec, inExpr: arg.at, message: arg.error });
    const options: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(spec.options)) {
      const option = def.options?.[name];
      if (!option) {
        const known = Object.keys(def.options ?? {});
        problems.push({ at: spec, option: name, message: `${def.name} has no option '${name}'${didYouMean(name, known)}` });
        continue;
      }
      const checked = checkArg(option.arg, raw, batchMs);
      if ('error' in checked) problems.push({ at: spec, option: name, inExpr: checked.at, message: `${name}: ${checked.error}` });
      else options[name] = checked.value;
    }
    for (const [name, option] of Object.entries(def.options ?? {})) {
      if (option.required && !(name in spec.options)) problems.push({ at: spec, message: `${def.name} needs its option '${name}'` });
    }
    const ctx: ResolvedOp['ctx'] = { arg: 'value' in arg ? arg.value : undefined, options, label: spec.label, batchMs };
    let inner: ResolvedOp[] = [];
    if ('modifies' in def) {
      if (window) problems.push({ at: window.spec, message: 'window must be followed by an aggregate, not another window' });
      const value = 'value' in arg ? def.windowOf(arg.value, options) : undefined;
      if (value) window = { spec, value, inner: [] };
    } else if (window && def.group === 'stateless' && 'stage' in def) {
      // as in Spark, window(...).map(...).reduceByKey(...): per-record operators see each record
      // inside the window, after its event time has been read from it as it entered
      window.inner.push({ def, ctx, spec });
      continue;
    } else if (window) {
      if ('aggregate' in def && !def.windowOf) {
        ctx.window = window.value;
        inner = window.inner;
      } else if ('aggregate' in def) problems.push({ at: window.spec, message: `${def.name} has a window of its own: leave out the window before it` });
      else problems.push({ at: window.spec, message: `window must be followed by an aggregate (count, reduce-by-key, ...), not ${def.name}` });
      window = undefined;
    } else if ('aggregate' in def && def.windowOf && 'value' in arg) {
      ctx.window = def.windowOf(arg.value, options);
    }
    const problem = def.check?.(ctx);
    if (problem) problems.push({ at: spec, message: problem });
    if ('modifies' in def) continue;
    resolved.push({ def, ctx, spec, ...(inner.length && { inner }) });
  }
  if (window) problems.push({ at: window.spec, message: 'window must be followed by an aggregate (count, reduce-by-key, ...)' });
  return { ops: resolved, problems };
}
