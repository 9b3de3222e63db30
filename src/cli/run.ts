// Runs a planned pipeline as a process: build it, run batches until the input ends or a
// signal asks to stop, and report what happened on stderr.

import { CheckpointStore } from '../runtime/checkpoint.ts';
import { Engine, type BatchStats } from '../runtime/engine.ts';
import { buildGraph, uriIo, type GraphIo } from '../runtime/build.ts';
import type { Clock } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { userCodeMade } from '../core/expr.ts';
import { OnError } from '../core/on-error.ts';
import { outline, type PipelineSpec } from '../pipeline/pipeline.ts';
import type { Plan } from '../pipeline/plan.ts';
import { createSource } from '../io/sources/index.ts';
import { panelSink } from '../io/sinks/panel.ts';
import type { Board } from '../io/sinks/sink.ts';
import { errorText, note, noteInPlace, stderr } from '../core/report.ts';
import { schedule } from './schedule.ts';
import { endAfter, onStopSignal, watchForRunaways } from './signals.ts';

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
    if (spec.ui || spec.live) throw new UsageError(`--${spec.ui ? 'ui' : 'live'} shows one running stream, and --schedule makes a short --once pass at each tick: leave one of them out`);
    checkSchedule(spec);
    return schedule(spec.schedule, () => runPipeline({ ...plan, spec: { ...spec, schedule: undefined, once: true } }, options));
  }
  if (spec.live && !spec.sinks.some((s) => s.out === '-')) throw new UsageError("--live redraws stdout's batches, and no -o is stdout: add -o - or leave --live out");
  const onError = new OnError(spec.onError);
  // both before any input is read: a terminal that is not there, a port in use
  const live = spec.live ? (await import('../ui/live.ts')).liveView(spec.batchMs) : undefined;
  const ui = spec.ui ? await (await import('../ui/server.ts')).startUi(spec.ui, plan, { onError }) : undefined;
  if (ui && !spec.quiet) note(`web UI at ${ui.url}`);
  const store = spec.checkpoint ? new CheckpointStore(spec.checkpoint) : undefined;
  const status = spec.verbose ? statusLine(spec.batchMs) : undefined;
  const engine = new Engine((hooks) => buildGraph(plan, onError, graphIo(ui?.board, live?.board), { ...hooks, countEdges: !!ui }, store?.id), {
    batchMs: spec.batchMs,
    clock: options.clock,
    once: spec.once,
    adaptiveRate: spec.adaptiveRate,
    checkpoint: store && { store, pipeline: outline(spec) },
    onBatch(stats: BatchStats) {
      onError.sync();
      ui?.batch(stats);
      live?.batch(stats);
      status?.batch(stats);
    },
  });
  ui?.attach(engine);
  if (userCodeMade()) watchForRunaways(spec.verbose);
  const unlisten = onStopSignal((signal) => {
    const timeoutMs = spec.shutdownTimeoutMs ?? 10 * spec.batchMs;
    if (spec.verbose) note(`${signal}: finishing the batch in flight (at most ${formatDuration(timeoutMs)}); a second signal exits at once`);
    endAfter(timeoutMs, signal, errorText(`the batch in flight did not finish within --shutdown-timeout ${formatDuration(timeoutMs)}; exiting`));
    ui?.stopping();
    engine.stop();
  });
  try {
    await engine.run();
  } finally {
    status?.end();
    await ui?.close();
    unlisten();
    onError.close();
    const summary = onError.summary();
    if (summary && !spec.quiet) note(summary);
    for (const { label, bytes } of engine.replaced()) {
      if (bytes && !spec.quiet) note(`${label}: ${bytes} ${bytes === 1 ? 'byte' : 'bytes'} not valid UTF-8, replaced by U+FFFD (--encoding latin1 keeps every byte)`);
    }
  }
}

/** Sinks made from their URIs; with --ui the panel sinks show on its board, and with --live stdout shows on the terminal view. */
function graphIo(board: Board | undefined, live: Board | undefined): GraphIo | undefined {
  if (!board && !live) return undefined;
  return {
    source: uriIo.source,
    sink: (s, options) => (live && s.out === '-' ? panelSink({ kind: 'dashboard', name: '-' }, options, live) : uriIo.sink(s, { ...options, board })),
  };
}

/** -v: a line per batch on stderr; on a terminal, one status line redrawn in place. */
function statusLine(batchMs: number): { batch(stats: BatchStats): void; end(): void } {
  const tty = stderr().isTTY;
  let batches = 0;
  let shown = false;
  return {
    batch(stats) {
      const line = `batch ${stats.time}: ${stats.recordsIn} in, ${stats.recordsOut} out, ${stats.processingMs} ms processing, ${stats.delayMs} ms scheduling delay`;
      if (!tty) return note(line);
      const rate = Math.round((stats.recordsIn * 1000) / batchMs);
      noteInPlace(`${++batches} ${batches === 1 ? 'batch' : 'batches'}, ${rate} records/s; last ${line}`);
      shown = true;
    },
    end() {
      if (shown) stderr().write('\n');
    },
  };
}
