// `append:PATH`: every batch appended to one file, made durable (fsync) before the batch counts as done.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { lineOf, type Sink, type SinkDef } from './sink.ts';

const FLUSH_AT = 1 << 16;

export const append: SinkDef = {
  scheme: 'append',
  usage: 'append:PATH',
  summary: 'append each batch to one file, fsync per batch',
  create(path, options): Sink {
    const fd = openSync(path, 'a');
    let time = 0;
    let buffered = '';
    return {
      begin(t) {
        time = t;
      },
      push(rec) {
        buffered += lineOf(options, rec, time);
        if (buffered.length >= FLUSH_AT) {
          writeSync(fd, buffered);
          buffered = '';
        }
      },
      end() {
        if (buffered) writeSync(fd, buffered);
        buffered = '';
        fsyncSync(fd);
      },
      async close() {
        closeSync(fd);
      },
    };
  },
};
