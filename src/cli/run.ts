// Runs a planned pipeline as a process: build it, run batches until the input ends or a
// signal asks to stop, and report what happened on stderr.

import { CheckpointStore } from '../runtime/checkpoint.ts';
import { Engine, type BatchStats } from '../runtime/engine.ts';
import { buildGraph } from '../runtime/build.ts';
import type { Clock } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { OnError } from '../core/on-error.ts';
import { outline, type PipelineSpec } from '../pipeline/pipeline.ts';
import type { Plan } from '../pipeline/plan.ts';
import { createSource } from '../io/sources/index.ts';
import { errorText, note } from '../core/report.ts';
import { schedule } from './schedule.ts';
import { endAfter, onStopSignal } from './signals.ts';

/** What would make every --schedule pass fail, found now rather than at the first tick. */
function checkSchedule(spec: PipelineSpec): void {
  for (const { in: uri } of Object.values(spec.sources)) {
    if (uri === '-') throw new UsageError('--schedule: stdin can be read only once; read files, tail: or dir:');
    try {
      createSource(uri).untilNow?.();
    } catch (err) {
      // the source refuses --once, which each scheduled pass is: say it in terms of what was given
      if (err instanceof UsageError) throw new UsageError(`--schedule (a --once pass at each tick): ${err.message.replace(/^--once: /, '')}`);
      throw err;
    }
  }
}

export interface RunOptions {
  clock?: Clock;
}

export async function runPipeline(plan: Plan, options: RunOptions = {}): Promise<void> {
  const { spec } = plan;
  if (spec.schedule) {
    checkSchedule(spec);
    return schedule(spec.schedule, () => runPipeline({ ...plan, spec: { ...spec, schedule: undefined, once: true } }, options));
  }
  const onError = new OnError(spec.onError);
  const store = spec.checkpoint ? new CheckpointStore(spec.checkpoint) : undefined;
  const engine = new Engine((hooks) => buildGraph(plan, onError, undefined, hooks, store?.id), {
    batchMs: spec.batchMs,
    clock: options.clock,
    once: spec.once,
    adaptiveRate: spec.adaptiveRate,
    checkpoint: store && { store, pipeline: outline(spec) },
    onBatch(stats: BatchStats) {
      onError.sync();
      if (spec.verbose) {
        note(`batch ${stats.time}: ${stats.recordsIn} in, ${stats.recordsOut} out, ${stats.processingMs} ms processing, ${stats.delayMs} ms scheduling delay`);
      }
    },
  });
  const unlisten = onStopSignal((signal) => {
    const timeoutMs = spec.shutdownTimeoutMs ?? 10 * spec.batchMs;
    if (spec.verbose) note(`${signal}: finishing the batch in flight (at most ${formatDuration(timeoutMs)}); a second signal exits at once`);
    endAfter(timeoutMs, signal, errorText(`the batch in flight did not finish within --shutdown-timeout ${formatDuration(timeoutMs)}; exiting`));
    engine.stop();
  });
  try {
    await engine.run();
  } finally {
    for (const warning of store?.warnings ?? []) note(warning);
    unlisten();
    onError.close();
    const summary = onError.summary();
    if (summary && !spec.quiet) note(summary);
    for (const { label, bytes } of engine.replaced()) {
      if (bytes && !spec.quiet) note(`${label}: ${bytes} ${bytes === 1 ? 'byte' : 'bytes'} not valid UTF-8, replaced by U+FFFD (--encoding latin1 keeps every byte)`);
    }
  }
}
