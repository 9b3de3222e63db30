// `-`: standard input. Pausing stops reading, so a fast writer blocks instead of filling memory.

import type { Source, SourceDef } from './source.ts';
import { readStream } from './source.ts';

export const stdin: SourceDef = {
  scheme: '-',
  usage: '-',
  summary: 'standard input (the default)',
  create(): Source {
    const stream = process.stdin;
    return {
      label: 'stdin',
      run: (intake) => readStream(stream, intake),
      pause: () => stream.pause(),
      resume: () => stream.resume(),
      stop: () => stream.destroy(),
    };
  },
};
