// `PATH`, `file:PATH`: read files once, in name order; a glob matches several.

import { closeSync, globSync, openSync, statSync } from 'node:fs';
import { IoError } from '../../core/errors.ts';
import { FdReader, type Source, type SourceDef } from './source.ts';
import { requiredPath } from '../uri.ts';

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
  target: requiredPath('a file or a glob, e.g. file:access.log'),
  create(path): Source {
    const files = matchFiles(path);
    const reader = new FdReader();
    /** Files are read in name order: a position is the file being read and the offset in it. */
    let at: FilePosition = { file: files[0]!, offset: 0 };
    let until: FilePosition | undefined;
    let reachedUntil: () => void = () => {};
    return {
      label: path,
      async run(intake) {
        for (const name of files.filter((f) => f >= at.file)) {
          intake.file(name);
          const from = name === at.file ? at.offset : 0;
          at = { file: name, offset: from };
          const fd = openSync(name, 'r');
          try {
            if (until?.file === name) reader.limitTo(until.offset).then(reachedUntil);
            if (!(await reader.run(fd, intake, from))) return;
          } catch (err) {
            throw new IoError(`${name}: ${(err as Error).message}`, { cause: err });
          } finally {
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
