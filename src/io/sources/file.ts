// `PATH`, `file:PATH`: read files once, in name order (rotated logs oldest first); a glob matches several. A path that is not
// a regular file (a FIFO, `<(cmd)`, /dev/stdin, a character device) is read as a stream, as stdin is;
// a gzip file as the text it holds.

import { closeSync, existsSync, globSync, open, openSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { IoError } from '../../core/errors.ts';
import { requiredPath } from '../uri.ts';
import { isStream, namedDescriptor } from '../descriptors.ts';
import { gunzipped, GzipError, isGzip } from './gzip.ts';
import { FdReader, streamSource, type Source, type SourceDef } from './source.ts';

const GLOB_CHARS = /[*?[\]{}]/;

export function matchFiles(pattern: string): string[] {
  // a name that exists is that file, glob characters and all (`report[1].log`)
  if (!GLOB_CHARS.test(pattern) || existsSync(pattern)) {
    try {
      if (statSync(pattern).isDirectory()) throw new IoError(`${pattern}: is a directory (use dir:${pattern} to watch it)`);
    } catch (err) {
      if (err instanceof IoError) throw err;
      throw new IoError(`${pattern}: no such file`);
    }
    return [pattern];
  }
  const files = globSync(pattern).filter((f) => statSync(f).isFile()).sort(historyOrder);
  if (!files.length) throw new IoError(`${pattern}: no file matches`);
  return files;
}

/**
 * Name order, but for rotated logs oldest first: a rotation (`NAME.N`, `NAME-YYYYMMDD`, compressed
 * or not) comes before NAME; numbered ones from the highest number (logrotate's oldest), dated ones
 * (8 digits or more) from the earliest. So `-i 'access.log*'` reads a rotated history in order.
 */
export function historyOrder(a: string, b: string): number {
  const [x, y] = [rotationOf(a), rotationOf(b)];
  if (x.base !== y.base) return x.base < y.base ? -1 : 1;
  if (x.n === y.n) return a < b ? -1 : a > b ? 1 : 0;
  if (x.n === undefined || y.n === undefined) return x.n === undefined ? 1 : -1; // the live file last
  return x.dated ? x.n - y.n : y.n - x.n;
}

/** `NAME.N` (logrotate's numbers) or `NAME.DATE`, `NAME-DATE` (dateext: 8 digits or more), with or without `.gz`. */
function rotationOf(name: string): { base: string; n?: number; dated?: boolean } {
  const m = /^(.*?)(?:\.(\d+)|[.-](\d{8,}))$/.exec(name.replace(/\.gz$/, ''));
  if (!m) return { base: name };
  return { base: m[1]!, n: Number(m[2] ?? m[3]), dated: m[3] !== undefined };
}

export const file: SourceDef = {
  scheme: 'file',
  usage: 'PATH, file:PATH',
  summary: 'read the file, or every file a glob matches (rotated logs oldest first), once; gzip as its text; a FIFO or device as a stream',
  target: requiredPath('a file or a glob, e.g. file:access.log'),
  create(path): Source {
    const files = matchFiles(path);
    const name = files[0]!;
    if (files.length === 1 && isStream(name)) return streamSource(path, namedDescriptor(name) ?? (() => promisify(open)(name, 'r')));
    const reader = new FdReader();
    /** Files are read in historyOrder: a position is the file being read and the offset in it. */
    let at: FilePosition = { file: files[0]!, offset: 0 };
    let until: FilePosition | undefined;
    let reachedUntil: () => void = () => {};
    return {
      label: path,
      async run(intake) {
        for (const name of files.filter((f) => historyOrder(f, at.file) >= 0)) {
          const from = name === at.file ? at.offset : 0;
          intake.file(name, { start: from === 0 });
          at = { file: name, offset: from };
          const fd = openSync(name, 'r');
          const gz = isGzip(fd) ? gunzipped(name) : undefined;
          try {
            if (until?.file === name) reader.limitTo(until.offset).then(reachedUntil);
            if (!(await reader.run(gz ?? fd, intake, from))) return;
          } catch (err) {
            // what the archive held up to the damage was read: the damage is a bad record after it
            if (err instanceof GzipError) intake.damaged(err.message);
            else throw new IoError(`${name}: ${(err as Error).message}`, { cause: err });
          } finally {
            gz?.close();
            closeSync(fd);
          }
        }
        reachedUntil(); // the input ended first: everything there is was delivered
      },
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      stop: () => reader.stop(),
      readSize: (bytes) => void (reader.size = Math.min(bytes, reader.size)),
      position: () => ({ file: at.file, offset: reader.delivered }),
      seek(position) {
        at = position as FilePosition;
      },
      limit(position) {
        until = position as FilePosition | undefined;
        if (until) return new Promise((resolve) => (reachedUntil = resolve));
        reader.unlimit();
        return Promise.resolve();
      },
    };
  },
};

interface FilePosition {
  file: string;
  offset: number;
}
