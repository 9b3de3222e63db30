// `PATH`, `file:PATH`: one file per batch, PATH-<batchTimeMs>[.ext] (Spark's saveAsTextFiles),
// written to a temporary name and renamed when complete, so a reader never sees half a batch
// and a batch written again replaces itself.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { lineOf, type Sink, type SinkDef } from './sink.ts';

const FLUSH_AT = 1 << 16;

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
  create(path, options): Sink {
    const dir = dirname(path) || '.';
    mkdirSync(dir, { recursive: true });
    let time = 0;
    let fd = -1;
    let tmp = '';
    let buffered = '';
    return {
      begin(t) {
        time = t;
        tmp = join(dir, `.${basename(batchFileName(path, t))}.${process.pid}.tmp`);
        fd = openSync(tmp, 'w');
      },
      push(rec) {
        buffered += lineOf(options, rec, time);
        if (buffered.length >= FLUSH_AT) {
          writeSync(fd, buffered);
          buffered = '';
        }
      },
      end() {
        if (buffered) writeSync(fd, buffered);
        buffered = '';
        fsyncSync(fd);
        closeSync(fd);
        fd = -1;
        renameSync(tmp, batchFileName(path, time));
        syncDir(dir);
      },
      async close() {},
      abort() {
        if (fd < 0) return;
        closeSync(fd);
        fd = -1;
        rmSync(tmp, { force: true });
      },
    };
  },
};
