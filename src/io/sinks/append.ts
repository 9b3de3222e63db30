// `append:PATH`: every batch appended to one file, made durable (fsync) before the batch counts as done.

import { closeSync, openSync } from 'node:fs';
import { failingAs } from '../../core/errors.ts';
import { FileLines, type Sink, type SinkDef } from './sink.ts';
import { requiredPath } from '../uri.ts';

export const append: SinkDef = {
  scheme: 'append',
  usage: 'append:PATH',
  summary: 'append each batch to one file, fsync per batch',
  target: requiredPath('a file, e.g. append:counts.tsv'),
  create(path, _params, options): Sink {
    const out = new FileLines(options);
    out.fd = failingAs(`cannot open ${path} to append to it`, () => openSync(path, 'a'));
    const writing = (step: () => void) => failingAs(`cannot write to ${path}`, step);
    return {
      begin(t) {
        out.time = t;
      },
      push: (rec) => writing(() => out.push(rec)),
      end: () => writing(() => out.sync()),
      async close() {
        closeSync(out.fd);
      },
    };
  },
};
