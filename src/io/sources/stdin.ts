// `-`: standard input. Pausing stops reading, so a fast writer blocks instead of filling memory.

import { FdReader, type Source, type SourceDef } from './source.ts';

export const stdin: SourceDef = {
  scheme: '-',
  usage: '-',
  summary: 'standard input (the default)',
  create(): Source {
    const reader = new FdReader();
    return {
      label: 'stdin',
      run: async (intake) => void (await reader.run(0, intake)),
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      stop: () => reader.stop(),
      readSize: (bytes) => void (reader.size = Math.min(bytes, reader.size)),
    };
  },
};
