// `append:PATH`: every batch appended to one file, made durable (fsync) before the batch counts as done.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { FileLines, type Sink, type SinkDef } from './sink.ts';

export const append: SinkDef = {
  scheme: 'append',
  usage: 'append:PATH',
  summary: 'append each batch to one file, fsync per batch',
  create(path, _params, options): Sink {
    const out = new FileLines(options);
    const fd = openSync(path, 'a');
    out.open(fd, fstatSync(fd).size === 0); // a file that has lines has its header
    return {
      begin(t) {
        out.time = t;
      },
      push: (rec) => out.push(rec),
      end: () => out.sync(),
      async close() {
        closeSync(out.fd);
      },
    };
  },
};
