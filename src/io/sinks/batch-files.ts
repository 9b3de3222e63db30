// `PATH`, `file:PATH`: one file per batch, PATH-<batchTimeMs>[.ext] (Spark's saveAsTextFiles),
// written to a temporary name and renamed when complete, so a reader never sees half a batch
// and a batch written again replaces itself.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { failingAs } from '../../core/errors.ts';
import { FileLines, type Sink, type SinkDef } from './sink.ts';
import { requiredPath } from '../uri.ts';


export function batchFileName(path: string, time: number): string {
  const ext = extname(path);
  return `${ext ? path.slice(0, -ext.length) : path}-${time}${ext}`;
}

/** fsync a directory so that a rename in it survives a crash. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const batchFiles: SinkDef = {
  scheme: 'file',
  usage: 'PATH, file:PATH',
  summary: 'a file per batch, PATH-<batchTimeMs>[.ext], written atomically',
  target: requiredPath('a path, e.g. file:out/batch.txt'),
  create(path, _params, options): Sink {
    const dir = dirname(path) || '.';
    failingAs(`cannot create the directory ${dir}`, () => mkdirSync(dir, { recursive: true }));
    const out = new FileLines(options);
    let tmp = '';
    // messages name the batch's file, not the temporary one it is written to first
    const writing = (step: () => void) => failingAs(`cannot write ${batchFileName(path, out.time)}`, step);
    return {
      begin(t) {
        out.time = t;
        tmp = join(dir, `.${basename(batchFileName(path, t))}.${process.pid}.tmp`);
        writing(() => (out.fd = openSync(tmp, 'w')));
      },
      push: (rec) => writing(() => out.push(rec)),
      end() {
        writing(() => {
          out.sync();
          closeSync(out.fd);
          out.fd = -1;
          renameSync(tmp, batchFileName(path, out.time));
          syncDir(dir);
        });
      },
      async close() {},
      abort() {
        if (out.fd < 0) return;
        out.discard();
        closeSync(out.fd);
        out.fd = -1;
        rmSync(tmp, { force: true });
      },
    };
  },
};
