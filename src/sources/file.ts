// `PATH`, `file:PATH`: read files once, in name order; a glob matches several.

import { closeSync, globSync, openSync, statSync } from 'node:fs';
import { IoError } from '../engine/errors.ts';
import { FdReader, type Source, type SourceDef } from './source.ts';

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
    return {
      label: path,
      async run(intake) {
        for (const name of files) {
          intake.file(name);
          const fd = openSync(name, 'r');
          try {
            if (!(await reader.run(fd, intake))) return;
          } catch (err) {
            throw new IoError(`${name}: ${(err as Error).message}`, { cause: err });
          } finally {
            closeSync(fd);
          }
        }
      },
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      stop: () => reader.stop(),
    };
  },
};
