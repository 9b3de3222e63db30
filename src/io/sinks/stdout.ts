// `-`: standard output. Output is buffered within a batch and written out when the batch ends
// (or the buffer fills), so each batch appears as soon as it is done.

import { stdoutFull, stdoutWritten, writeStdout } from '../../core/stdout.ts';
import { printHeader, sparkText } from '../render/format.ts';
import { encoded, Lines, type Sink, type SinkDef, type SinkOptions } from './sink.ts';

const FLUSH_AT = 1 << 16;

export const stdout: SinkDef = {
  scheme: '-',
  usage: '-',
  summary: 'standard output (the default)',
  create(_path, _params, options: SinkOptions): Sink {
    const write = (text: string) => writeStdout(encoded(text, options), options.pressure);
    const lines = new Lines(options);
    let time = 0;
    let buffered = '';
    let shown = 0;
    const limit = options.print;
    return {
      begin(t) {
        time = t;
        shown = 0;
        if (limit !== undefined) buffered += printHeader(t);
      },
      push(rec) {
        if (limit !== undefined) {
          if (shown++ < limit) buffered += `${sparkText(rec)}\n`;
          else if (shown === limit + 1) buffered += '...\n';
          return;
        }
        buffered += lines.of(rec, time);
        if (buffered.length >= FLUSH_AT) {
          write(buffered);
          buffered = '';
        }
      },
      end() {
        if (limit !== undefined) buffered += '\n';
        if (buffered) write(buffered);
        buffered = '';
        return stdoutFull();
      },
      close: async () => {
        await stdoutWritten();
      },
    };
  },
};
