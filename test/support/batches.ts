// Unit-test helper in the style of Spark's TestSuiteBase.testOperation: feed input batches through
// operators on virtual batch times and get the output batches back. No clock, no sleeps.

import { buildChain } from '../../src/runtime/build.ts';
import { OnError } from '../../src/core/on-error.ts';
import type { Downstream } from '../../src/core/stream.ts';
import type { OpSpec } from '../../src/pipeline/pipeline.ts';
import { resolveOps } from '../../src/pipeline/resolve.ts';

/** An operator as [name, arg?, options?], e.g. ['reduce-by-key', 'a + b', { inverse: 'a - b' }]. */
export type Op = [string, unknown?, Record<string, unknown>?];

export interface Output {
  time: number;
  records: unknown[];
}

export function ops(...list: Op[]): OpSpec[] {
  return list.map(([op, arg = true, options = {}], i) => ({ op, arg, options, label: `ops[${i}] (${op})` }));
}

/** A downstream that keeps every batch it sees. */
export function collector(): Downstream & { batches: Output[] } {
  const batches: Output[] = [];
  return {
    batches,
    begin: (time) => void batches.push({ time, records: [] }),
    push: (rec) => void batches.at(-1)!.records.push(rec),
    end: () => {},
  };
}

/**
 * Run `input` batches (batch i has time (i + 1) * batchMs) through `list`; returns the output batches.
 * With `inputEnds` the last batch closes as the end of the input closes it; `onError` sees bad and late records.
 */
export async function runBatches(
  input: unknown[][],
  list: Op[],
  { batchMs = 1000, inputEnds = false, onError = new OnError('fail') } = {},
): Promise<Output[]> {
  const { ops: resolved, problems } = resolveOps(ops(...list), batchMs);
  if (problems.length) throw new Error(problems.map((p) => `${p.at.label}: ${p.message}`).join('\n'));
  const out = collector();
  let ended = false;
  const chain = buildChain(resolved, out, { onError, inputEnded: () => ended });
  for (let i = 0; i < input.length; i++) {
    chain.begin((i + 1) * batchMs);
    for (const rec of input[i]!) chain.push(rec);
    ended = inputEnds && i === input.length - 1;
    await chain.end();
  }
  return out.batches;
}
