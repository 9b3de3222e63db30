// `append:PATH`: every batch appended to one file, made durable (fsync) before the batch counts as done.
// A batch that cannot be written whole (a full disk) is cut off again, so the file holds whole batches.

import { closeSync, fstatSync, ftruncateSync, fsyncSync, openSync } from 'node:fs';
import { FileLines, type Sink, type SinkDef } from './sink.ts';

export const append: SinkDef = {
  scheme: 'append',
  usage: 'append:PATH',
  summary: 'append each batch to one file, fsync per batch',
  create(path, _params, options): Sink {
    const out = new FileLines(options);
    out.fd = openSync(path, 'a');
    /** The file's size before the open batch, while one is open. */
    let start: number | undefined;
    const abort = () => {
      if (start === undefined) return;
      out.discard();
      ftruncateSync(out.fd, start);
      fsyncSync(out.fd);
      start = undefined;
    };
    return {
      begin(t) {
        out.begin(t, path);
        start = fstatSync(out.fd).size;
      },
      push: (rec) => out.push(rec),
      end() {
        try {
          out.sync();
        } catch (err) {
          abort();
          throw err;
        }
        start = undefined;
      },
      async close() {
        closeSync(out.fd);
      },
      abort,
    };
  },
};
