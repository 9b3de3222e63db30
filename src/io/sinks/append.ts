// `append:PATH`: every batch appended to one file, made durable (fsync) before the batch counts as
// done; missing directories are created. A batch that cannot be written whole (a full disk) is cut
// off again, so the file holds whole batches. A FIFO, a device or a descriptor (/dev/stdout) is
// written the same way, without the fsync it cannot have: it is also what a per-batch PATH that is one becomes.

import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { failingAs } from '../../core/errors.ts';
import { namedDescriptor } from '../descriptors.ts';
import { FileLines, type Sink, type SinkDef } from './sink.ts';
import { requiredPath } from '../uri.ts';

export const append: SinkDef = {
  scheme: 'append',
  usage: 'append:PATH',
  summary: 'append each batch to one file, fsync per batch',
  target: requiredPath('a file, e.g. append:counts.tsv'),
  create(path, _params, options): Sink {
    const out = new FileLines(options);
    const named = namedDescriptor(path);
    if (named === undefined) failingAs(`cannot create the directory ${dirname(path)}`, () => mkdirSync(dirname(path), { recursive: true }));
    const fd = named ?? failingAs(`cannot open ${path} to append to it`, () => openSync(path, 'a'));
    const stat = fstatSync(fd);
    const durable = stat.isFile();
    out.open(fd, !durable || stat.size === 0); // a file that has lines has its header
    /** The file's size before the open batch, while one is open. */
    let start: number | undefined;
    const abort = () => {
      if (start === undefined) return;
      out.discard();
      if (durable) {
        ftruncateSync(out.fd, start);
        fsyncSync(out.fd);
      }
      start = undefined;
    };
    return {
      begin(t) {
        out.begin(t, path);
        start = durable ? fstatSync(out.fd).size : 0;
      },
      push: (rec) => out.push(rec),
      end() {
        try {
          out.sync(durable);
        } catch (err) {
          abort();
          throw err;
        }
        start = undefined;
      },
      async close() {
        if (named === undefined) closeSync(out.fd);
      },
      abort,
    };
  },
};
