// `PATH`, `file:PATH`: read files once, in name order; a glob matches several.

import { createReadStream, globSync, statSync, type ReadStream } from 'node:fs';
import { IoError } from '../engine/errors.ts';
import { readStream, type Source, type SourceDef } from './source.ts';

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
    let current: ReadStream | undefined;
    let paused = false;
    let stopped = false;
    return {
      label: path,
      async run(intake) {
        for (const name of files) {
          if (stopped) return;
          intake.file(name);
          current = createReadStream(name, { highWaterMark: 1 << 18 });
          if (paused) current.pause();
          await readStream(current, intake).catch((err: Error) => {
            throw new IoError(`${name}: ${err.message}`, { cause: err });
          });
        }
      },
      pause() {
        paused = true;
        current?.pause();
      },
      resume() {
        paused = false;
        current?.resume();
      },
      stop() {
        stopped = true;
        current?.destroy();
      },
    };
  },
};
