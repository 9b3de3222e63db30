// repartition N: run the per-record operators that follow on N worker threads. Records travel in
// chunks, round-robin; results are put back in arrival order, so a batch keeps its order. N is
// capped at the cores available: more threads than cores only cost memory and start-up time.

import { availableParallelism } from 'node:os';
import { distWorker } from '../core/embedded.ts';
import { note } from '../core/report.ts';
import type { Downstream, Rec } from '../core/stream.ts';
import type { OpSpec } from './operator.ts';
import { ExpressionFailed, type OpContext, type ParallelOperator } from './operator.ts';
import type { WorkerChunk, WorkerReply, WorkerSetup } from './repartition-worker.ts';

const CHUNK = 4096;
/** Chunks in flight per worker before the sources are held: keeps memory bounded. */
const IN_FLIGHT = 4;

export const repartition: ParallelOperator = {
  name: 'repartition',
  kind: 'parallel',
  summary: 'run the per-record operators after it on N worker threads (order kept; at most one per core)',
  group: 'stateless',
  arg: { kind: 'int', min: 1, metavar: 'N' },
  example: `--repartition 2 --map 'x.toUpperCase()'`,
  parallel(ctx: OpContext, following: OpSpec[], next: Downstream): Downstream {
    const setup: WorkerSetup = { ops: following, batchMs: ctx.batchMs };
    const cores = availableParallelism();
    const asked = ctx.arg as number;
    if (asked > cores) note(`${ctx.label} ${asked}: this machine has ${cores} core${cores === 1 ? '' : 's'}; running ${cores} worker thread${cores === 1 ? '' : 's'}`);
    const workers = Array.from({ length: Math.min(asked, cores) }, () => {
      const worker = distWorker('repartition-worker', { workerData: setup });
      worker.unref(); // idle workers must not keep a finished run alive
      worker.on('message', (reply: WorkerReply) => receive(reply));
      worker.on('error', (err) => fail(err));
      return worker;
    });
    let chunk: Rec[] = [];
    /** The open batch's time: the workers' expressions see it as `t`. */
    let time = 0;
    let sent = 0;
    let emitted = 0;
    const done = new Map<number, WorkerReply>();
    let failure: unknown;
    let caughtUp: (() => void) | undefined;
    let unblock: (() => void) | undefined;

    const fail = (err: unknown) => {
      failure ??= err;
      caughtUp?.();
    };
    const send = () => {
      if (!chunk.length) return;
      workers[sent % workers.length]!.postMessage({ id: sent, time, records: chunk } satisfies WorkerChunk);
      sent++;
      chunk = [];
      if (!unblock && sent - emitted >= IN_FLIGHT * workers.length) {
        ctx.pressure.hold(new Promise<void>((resolve) => (unblock = resolve)));
      }
    };
    const receive = (reply: WorkerReply) => {
      done.set(reply.id, reply);
      try {
        for (let r = done.get(emitted); r; r = done.get(emitted)) {
          done.delete(emitted++);
          for (const bad of r.errors) ctx.onError.bad(bad.message, ctx.label, bad.record);
          for (const rec of r.out) next.push(rec);
        }
      } catch (err) {
        fail(err);
      }
      if (unblock && sent - emitted < IN_FLIGHT * workers.length) {
        unblock();
        unblock = undefined;
      }
      if (emitted === sent) caughtUp?.();
    };

    return {
      begin(t) {
        time = t;
        next.begin(t);
      },
      push(rec) {
        chunk.push(rec);
        if (chunk.length >= CHUNK) send();
      },
      async end(last) {
        send();
        if (emitted < sent && !failure) await new Promise<void>((resolve) => (caughtUp = resolve));
        caughtUp = undefined;
        if (failure) throw failure instanceof Error ? failure : new ExpressionFailed(ctx.label, failure);
        return next.end(last);
      },
    };
  },
};
