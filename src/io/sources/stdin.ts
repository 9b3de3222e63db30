// `-`: standard input. Pausing stops reading, so a fast writer blocks instead of filling memory.

import { streamSource, type Source, type SourceDef } from './source.ts';

export const stdin: SourceDef = {
  scheme: '-',
  usage: '-',
  summary: 'standard input (the default)',
  create: (): Source => streamSource('stdin', 0),
};
