// A repartition worker thread: builds the per-record operators it is given from their text and
// runs chunks of records through them, reporting records they fail on instead of dying.

import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../core/errors.ts';
import { setBatchTime } from '../core/expr.ts';
import { buildChain, resolveOps } from './chain.ts';
import type { OpSpec } from './operator.ts';

export interface WorkerSetup {
  ops: OpSpec[];
  batchMs: number;
}

export interface WorkerChunk {
  id: number;
  /** The batch the records belong to: the `t` of the workers' expressions. */
  time: number;
  records: unknown[];
}

export interface WorkerReply {
  id: number;
  out: unknown[];
  errors: { message: string; record: unknown }[];
}

if (parentPort) {
  const { ops, batchMs } = workerData as WorkerSetup;
  let out: unknown[] = [];
  const chain = buildChain(resolveOps(ops, batchMs).ops, { begin() {}, push: (rec) => void out.push(rec), end() {} });
  chain.begin(0);
  parentPort.on('message', ({ id, time, records }: WorkerChunk) => {
    setBatchTime(time);
    out = [];
    const errors: WorkerReply['errors'] = [];
    for (const record of records) {
      try {
        chain.push(record);
      } catch (err) {
        errors.push({ message: messageOf(err), record });
      }
    }
    parentPort!.postMessage({ id, out, errors } satisfies WorkerReply);
  });
}
