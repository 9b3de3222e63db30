// `PATH`, `file:PATH`: one file per batch, PATH-<batchTimeMs>[.ext] (Spark's saveAsTextFiles),
// written to a temporary name and renamed when complete, so a reader never sees half a batch
// and a batch written again replaces itself.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileError } from '../../core/write-all.ts';
import { FileLines, type Sink, type SinkDef } from './sink.ts';


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
  create(path, _params, options): Sink {
    const dir = dirname(path) || '.';
    mkdirSync(dir, { recursive: true });
    const out = new FileLines(options);
    let tmp = '';
    return {
      begin(t) {
        out.begin(t, batchFileName(path, t));
        tmp = join(dir, `.${basename(batchFileName(path, t))}.${process.pid}.tmp`);
        out.fd = openSync(tmp, 'w');
      },
      push: (rec) => out.push(rec),
      end() {
        try {
          out.sync();
          closeSync(out.fd);
          out.fd = -1;
          renameSync(tmp, out.file);
          syncDir(dir);
        } catch (err) {
          // a batch that could not be written whole leaves nothing behind, so a restart redoes it
          abort();
          throw fileError(err, out.file);
        }
      },
      async close() {},
      abort,
    };
    function abort(): void {
      if (out.fd < 0) return;
      out.discard();
      closeSync(out.fd);
      out.fd = -1;
      rmSync(tmp, { force: true });
    }
  },
};
