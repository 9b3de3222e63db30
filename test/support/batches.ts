// Unit-test helpers in the style of Spark's TestSuiteBase.testOperation: feed input batches through
// operators on virtual batch times and get the output batches back, for one input or two (a join).
// No clock, no sleeps.

import { collector, feedBatches, unordered, type Batch } from '../../src/core/feed.ts';
import { OnError } from '../../src/core/on-error.ts';
import { buildChain, resolveOps, type ChainEnv } from '../../src/operators/chain.ts';
import type { OpSpec } from '../../src/operators/operator.ts';
import type { Downstream } from '../../src/core/stream.ts';

export { collector, unordered };
export type Output = Batch;

/** An operator as [name, arg?, options?], e.g. ['reduce-by-key', 'a + b', { inverse: 'a - b' }]. */
export type Op = [string, unknown?, Record<string, unknown>?];

export function ops(...list: Op[]): OpSpec[] {
  return list.map(([op, arg = true, options = {}], i) => ({ op, arg, options, label: `ops[${i}] (${op})` }));
}

/** Spark's expected outputs, one batch per slide from the first slide on, in a stable order. */
export function spark(outputs: unknown[][], slideMs = 1000): Output[] {
  return unordered(outputs.map((records, i) => ({ time: (i + 1) * slideMs, records })));
}

export interface RunOptions {
  batchMs?: number;
  /** The last batch closes as the end of the input closes it. */
  inputEnds?: boolean;
  /** Sees bad and late records. */
  onError?: OnError;
  /** The number of the first batch (batch i has time (first + i) * batchMs). */
  first?: number;
  keep?: ChainEnv['keep'];
  /** Called once the chain is built, before the first batch (to restore saved state). */
  built?: () => void;
}

function chainOf(list: Op[], next: Downstream, options: RunOptions, second?: ChainEnv['second']): Downstream {
  const { ops: resolved, problems } = resolveOps(ops(...list), options.batchMs ?? 1000);
  if (problems.length) throw new Error(problems.map((p) => `${p.at.label}: ${p.message}`).join('\n'));
  return buildChain(resolved, next, { onError: options.onError ?? new OnError('fail'), keep: options.keep, second });
}

/** Run `input` batches (batch i has time (i + 1) * batchMs) through `list`; returns the output batches. */
export async function runBatches(input: unknown[][], list: Op[], options: RunOptions = {}): Promise<Output[]> {
  const out = collector();
  const chain = chainOf(list, out, options);
  options.built?.();
  await feedBatches(chain, input.length, (i) => input[i]!.forEach((rec) => chain.push(rec)), { batchMs: options.batchMs ?? 1000, ...options });
  return out.batches;
}

/**
 * Spark's binary testOperation: `left` and `right` batches into a chain whose pair operator (a join,
 * union...) names the stream `other`, which `right` feeds.
 */
export async function runPair(left: unknown[][], right: unknown[][], list: Op[], options: RunOptions = {}): Promise<Output[]> {
  const out = collector();
  let other: Downstream | undefined;
  const chain = chainOf(list, out, options, (_stream, input) => void (other = input));
  if (!other) throw new Error('runPair needs a pair operator reading the stream `other`');
  const second = other;
  const both: Pick<Downstream, 'begin' | 'end'> = {
    begin(time) {
      chain.begin(time);
      second.begin(time);
    },
    async end(last) {
      await Promise.all([chain.end(last), second.end(last)]);
    },
  };
  const count = Math.max(left.length, right.length);
  await feedBatches(both, count, (i) => {
    for (const rec of left[i] ?? []) chain.push(rec);
    for (const rec of right[i] ?? []) second.push(rec);
  }, { batchMs: options.batchMs ?? 1000, ...options });
  return out.batches;
}
