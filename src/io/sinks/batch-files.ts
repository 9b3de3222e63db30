// `PATH`, `file:PATH`: one file per batch, PATH-<batchTimeMs>[.ext] (Spark's saveAsTextFiles),
// written to a temporary name and renamed when complete, so a reader never sees half a batch
// and a batch written again replaces itself. A PATH that is a stream (a FIFO, /dev/null, /dev/fd/N)
// has no files: every batch is written to it, as append: does. A PATH that is a directory or ends
// in '/' means files inside it, DIR/batch-<batchTimeMs>. Temporary files of a run killed mid-batch
// are removed at the next start.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { failingAs } from '../../core/errors.ts';
import { fileError } from '../../core/write-all.ts';
import { isStream } from '../descriptors.ts';
import { append } from './append.ts';
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

/** Remove the temporary files a process no longer running left for `path` (killed mid-batch). */
function removeStale(dir: string, path: string): void {
  const ext = extname(path);
  const prefix = `.${basename(path, ext)}-`;
  for (const name of readdirSync(dir)) {
    // .BASE-TIME.EXT.PID.tmp, as begin() names them
    const m = name.startsWith(prefix) ? /^\d+(.*)\.(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (m && m[1] === ext && !running(Number(m[2]))) rmSync(join(dir, name), { force: true });
  }
}

/** Whether process `pid` exists (EPERM: it does, as another user's). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const batchFiles: SinkDef = {
  scheme: 'file',
  usage: 'PATH, file:PATH',
  summary: 'a file per batch, PATH-<batchTimeMs>[.ext] (into DIR/: batch-<batchTimeMs>), written atomically; a FIFO or a device is a stream',
  target: requiredPath('a path, e.g. file:out/batch.txt'),
  create(given, params, options, uri): Sink {
    if (isStream(given)) return append.create(given, params, options, uri);
    const path = given.endsWith('/') || statSync(given, { throwIfNoEntry: false })?.isDirectory() ? join(given, 'batch') : given;
    const dir = dirname(path) || '.';
    failingAs(`cannot create the directory ${dir}`, () => mkdirSync(dir, { recursive: true }));
    removeStale(dir, path);
    // messages name the batch's file (out.file), not the temporary one it is written to first
    const out = new FileLines(options);
    let tmp = '';
    return {
      begin(t) {
        out.begin(t, batchFileName(path, t));
        tmp = join(dir, `.${basename(batchFileName(path, t))}.${process.pid}.tmp`);
        failingAs(`cannot write ${out.file}`, () => out.open(openSync(tmp, 'w')));
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
