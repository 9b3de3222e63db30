// `PATH`, `file:PATH`: read files once, in name order (rotated logs oldest first); a glob matches
// several. A path that is not a regular file (a FIFO, `<(cmd)`, /dev/stdin, a character device) is
// read as a stream, as stdin is; a gzip file as the text it holds. A checkpoint knows each file read
// by identity and offset: a restart reads on where each was left, a file replaced or cut short since
// as new (with a note), and a new one wherever its name sorts.

import { existsSync, globSync, open, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { IoError, messageOf } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import { requiredPath } from '../uri.ts';
import { isStream, namedDescriptor } from '../descriptors.ts';
import { FileCursor, isSavedFile, type SavedFile } from './file-cursor.ts';
import { FdReader, streamSource, type Intake, type ReadAt, type Source, type SourceDef } from './source.ts';

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
    /**
     * Each file read from so far, by name: which file it was (device, inode, first bytes) and how
     * far it was read, so that a restart goes on there and reads a file replaced since as new.
     */
    let read = new Map<string, SavedFile>();
    /** The file being read now. */
    let reading: FileCursor | undefined;
    /** A re-run batch's end: how far it read each file. */
    let until: Map<string, SavedFile> | undefined;
    let reachedUntil: () => void = () => {};
    let lift: () => void = () => {};

    /** Read file `name` on from where it was left, up to `bound`'s offset if given; false if stopped. */
    async function readFile(name: string, intake: Intake, bound?: SavedFile): Promise<boolean> {
      let cursor: FileCursor;
      try {
        cursor = new FileCursor(name, 0, { damaged: 'read' });
      } catch (err) {
        throw new IoError(`${name}: ${messageOf(err)}`, { cause: err });
      }
      try {
        // the re-run batch read another file under this name: it is read as new, after the re-run
        if (bound && cursor.changedSince(bound)) return true;
        const saved = read.get(name);
        const changed = saved && cursor.changedSince(saved);
        if (changed) note(`${name === path ? '' : `${path}: `}${name} changed since the checkpoint (${changed}); reading it as a new file`);
        cursor.offset = saved && !changed ? saved.offset : 0;
        read.set(name, cursor.saved());
        reading = cursor;
        intake.file(name, { start: cursor.offset === 0 });
        try {
          // a gzip file's text was decompressed when it was opened
          const text: number | ReadAt = cursor.isCompressed ? async (buf, want, offset) => cursor.readAt(buf, 0, want, offset) : cursor.fd;
          const done = await reader.run(text, intake, cursor.offset, bound?.offset);
          if (done && cursor.damage && !bound) intake.damaged(cursor.damage); // what a cut archive held was read: the damage is a bad record after it
          return done;
        } finally {
          read.set(name, current(cursor));
          reading = undefined;
        }
      } catch (err) {
        throw new IoError(`${name}: ${messageOf(err)}`, { cause: err });
      } finally {
        cursor.close();
      }
    }
    const current = (cursor: FileCursor): SavedFile => {
      cursor.refresh();
      return { ...cursor.saved(), offset: reader.delivered };
    };

    return {
      label: path,
      async run(intake) {
        read = new Map([...read].filter(([name]) => files.includes(name)));
        if (until) {
          // a crashed batch again: the files it read, each as far as it read it, then the rest
          for (const name of files) if (until.has(name) && !(await readFile(name, intake, until.get(name)))) return;
          reachedUntil();
          await new Promise<void>((resolve) => (lift = resolve));
        }
        for (const name of files) if (!(await readFile(name, intake))) return;
      },
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      stop() {
        reader.stop();
        lift();
      },
      readSize: (bytes) => void (reader.size = Math.min(bytes, reader.size)),
      position: () => ({ files: [...read.values()].map((f) => (reading && f.path === reading.path ? current(reading) : f)) }),
      seek(position) {
        read = new Map(filesOf(path, position, files).map((f) => [f.path, f]));
      },
      limit(position) {
        if (position === undefined) {
          until = undefined;
          lift();
          return Promise.resolve();
        }
        until = new Map(filesOf(path, position, files).map((f) => [f.path, f]));
        return new Promise((resolve) => (reachedUntil = resolve));
      },
    };
  },
};

/**
 * The files of a position this source saved. One saved before files had an identity,
 * `{file, offset}`, has the files before `file` read whole and `file` up to `offset`, as they are now.
 */
function filesOf(label: string, position: unknown, files: string[]): SavedFile[] {
  const p = position as { files?: unknown; file?: unknown; offset?: unknown };
  if (Array.isArray(p?.files) && p.files.every(isSavedFile)) return p.files;
  if (typeof p?.file !== 'string' || !Number.isInteger(p.offset)) throw new IoError(`${label}: the checkpoint's position is not one of a file source`);
  const { file: at, offset } = p as { file: string; offset: number };
  return files.filter((f) => historyOrder(f, at) <= 0).map((f) => {
    const cursor = new FileCursor(f);
    const saved = { ...cursor.saved(), offset: f === at ? offset : cursor.size() };
    cursor.close();
    return saved;
  });
}
