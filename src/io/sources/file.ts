// `PATH`, `file:PATH`: read files once, in name order; a glob matches several. A checkpoint knows
// each file read by identity and offset: a restart reads on where each was left, a file replaced or
// cut short since as new (with a note), and a new one wherever its name sorts.

import { globSync, statSync } from 'node:fs';
import { IoError, messageOf } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import { FileCursor, isSavedFile, type SavedFile } from './file-cursor.ts';
import { FdReader, type Intake, type Source, type SourceDef } from './source.ts';

const GLOB_CHARS = /[*?[\]{}]/;

export function matchFiles(pattern: string): string[] {
  if (!GLOB_CHARS.test(pattern)) {
    try {
      if (statSync(pattern).isDirectory()) throw new IoError(`${pattern}: is a directory (use dir:${pattern} to watch it)`);
    } catch (err) {
      if (err instanceof IoError) throw err;
      throw new IoError(`${pattern}: no such file`);
    }
    return [pattern];
  }
  const files = globSync(pattern).filter((f) => statSync(f).isFile()).sort();
  if (!files.length) throw new IoError(`${pattern}: no file matches`);
  return files;
}

export const file: SourceDef = {
  scheme: 'file',
  usage: 'PATH, file:PATH',
  summary: 'read the file, or every file a glob matches, once',
  create(path): Source {
    const files = matchFiles(path);
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
        cursor = new FileCursor(name);
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
        intake.file(name);
        try {
          return await reader.run(cursor.fd, intake, cursor.offset, bound?.offset);
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
  return files.filter((f) => f <= at).map((f) => {
    const cursor = new FileCursor(f);
    const saved = { ...cursor.saved(), offset: f === at ? offset : cursor.size() };
    cursor.close();
    return saved;
  });
}
