// What an operator is: its name (flag and YAML key alike), its argument, and how it becomes a stage.
// The registry of all of them is index.ts; one operator per file.

import type { OnError } from '../core/on-error.ts';
import type { Pressure } from '../core/pressure.ts';
import type { Aggregator, Downstream, Rec } from '../core/stream.ts';
import type { Fn } from '../core/expr.ts';
import type { ValueKind, WindowSpec } from '../core/values.ts';

/** The kinds of argument an operator or option takes: the project's value vocabulary. */
export type ArgSpec = ValueKind;

/** An argument after checking: a compiled function, a number, a window, a string, or true. */
export type ArgValue = unknown;

export type { WindowSpec };

/** An operator as written, before checking: in a flag chain or a pipeline file. */
export interface OpSpec {
  op: string;
  /** As written: an expression's text, a number, a duration's text, or true for a bare flag. */
  arg: unknown;
  options: Record<string, unknown>;
  /** How messages name this operator (`--map`, `streams.errors.ops[2] (map)`). */
  label: string;
}

export interface OpContext {
  arg: ArgValue;
  options: Record<string, ArgValue>;
  /** How messages name this operator: `--map` on the command line, `streams.s.ops[2] (map)` in a file. */
  label: string;
  batchMs: number;
  /** A preceding `window` operator, for the aggregate it applies to. */
  window?: WindowSpec;
  /** Register state that must survive a restart (windows, update-state); saved by --checkpoint. */
  keep(state: Stateful): void;
  /** Where a stage that falls behind holds the sources (repartition's workers). */
  pressure: Pressure;
  /** Where a stage reports a bad record it finds away from its intake. */
  onError: OnError;
}

/** State a stage carries from batch to batch: saved after each batch, restored on restart. */
export interface Stateful {
  /** A JSON-serialisable copy of the state as of the last completed batch. */
  snapshot(): unknown;
  restore(saved: unknown): void;
}

interface OperatorBase {
  name: string;
  summary: string;
  /** Where help lists it. */
  group: 'stateless' | 'aggregate' | 'window' | 'state' | 'join' | 'model';
  arg: ArgSpec;
  /** Options written after the operator (`--inverse E`) or beside its key in YAML. */
  options?: Record<string, { arg: ArgSpec; summary: string; required?: boolean }>;
  /** A short flag-chain example (for a pair operator, an ops entry of a pipeline file), shown in help and checked by a test. */
  example: string;
  /** A problem with how its argument, options and window go together (an inverse without a window). */
  check?(op: Pick<OpContext, 'arg' | 'options' | 'window'>): string | undefined;
}

/** An operator that is a stage of its own. */
export interface StageOperator extends OperatorBase {
  kind: 'stage';
  /**
   * Each record becomes records of its own, independently of the others and of time (map, filter):
   * such an operator may run inside a window before its aggregate, or on repartition's threads.
   */
  perRecord?: true;
  stage(ctx: OpContext, next: Downstream): Downstream;
}

/** A per-batch aggregate; a preceding `window` makes it run over the window. */
export interface AggregateOperator extends OperatorBase {
  kind: 'aggregate';
  aggregate(ctx: OpContext): Aggregator<any>;
  /** A windowed form (count-by-window): the window it runs over, from its own argument and options. */
  windowOf?(arg: ArgValue, options: Record<string, ArgValue>): WindowSpec | undefined;
}

/** An operator that makes the aggregate after it run over a window (`window`). */
export interface ModifierOperator extends OperatorBase {
  kind: 'window';
  /** The window the next aggregate runs over. */
  windowOf(arg: ArgValue, options: Record<string, ArgValue>): WindowSpec | undefined;
}

/** An operator with a second input, the stream its argument names: both sides of a batch meet here (join, union). */
export interface PairOperator extends OperatorBase {
  kind: 'pair';
  combine(ctx: OpContext): (left: Rec[], right: Rec[], out: (rec: Rec) => void) => void;
}

/** An operator that runs the per-record operators after it elsewhere (repartition: on worker threads). */
export interface ParallelOperator extends OperatorBase {
  kind: 'parallel';
  parallel(ctx: OpContext, following: OpSpec[], next: Downstream): Downstream;
}

/**
 * A model that learns from each batch of its stream (MLlib's streaming algorithms): what it has
 * learnt is state, checkpointed, so a restart goes on training where it stopped.
 */
export interface Learner<T = unknown> extends Stateful {
  /** A record as the model learns from it, or an ExpressionFailed saying what it must be. */
  parse(rec: Rec): T;
  /** Learn from a batch's records, once the batch is complete (an empty batch too). */
  train(batch: T[]): void;
  /** What the model says after a batch: its centres, its weights, a test's result. */
  emit(out: (rec: Rec) => void): void;
  /** The model's answer for a record (its cluster, its prediction), for models that predict. */
  predict?(rec: Rec): unknown;
}

/** An operator that trains a model on its stream; see model.ts for how it becomes a stage. */
export interface ModelOperator extends OperatorBase {
  kind: 'model';
  learner(ctx: OpContext): Learner;
}

export type OperatorDef = StageOperator | AggregateOperator | ModifierOperator | PairOperator | ParallelOperator | ModelOperator;

/**
 * Wrap a user function so that an exception names the operator that raised it;
 * the stage that catches it adds where the record came from.
 */
export function guard(label: string, fn: Fn): Fn {
  return (...args: unknown[]) => {
    try {
      return fn(...args);
    } catch (err) {
      throw new ExpressionFailed(label, err);
    }
  };
}

export class ExpressionFailed extends Error {
  constructor(label: string, cause: unknown) {
    super(`${label}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
  }
}

/** The key and value of a pair, or an error saying the operator needs pairs. */
export function asPair(rec: unknown, label: string): [unknown, unknown] {
  if (Array.isArray(rec) && rec.length === 2) return rec as [unknown, unknown];
  throw new ExpressionFailed(label, new TypeError(`needs pairs [key, value], got ${preview(rec)}`));
}

export function preview(rec: unknown): string {
  const text = typeof rec === 'string' ? JSON.stringify(rec) : (JSON.stringify(rec) ?? String(rec));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
