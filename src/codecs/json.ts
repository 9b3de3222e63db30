// json: each line is one JSON value (NDJSON).

import { CodecError, type CodecDef } from './codec.ts';

export const json: CodecDef = {
  name: 'json',
  summary: 'each line is a JSON value (NDJSON)',
  create: () => (line) => {
    try {
      return JSON.parse(line);
    } catch (err) {
      const message = (err as Error).message;
      const at = /position (\d+)/.exec(message);
      // V8 gives no position when the text ends too soon: the error is at the end of the line
      const column = at ? Number(at[1]) + 1 : line.length + 1;
      throw new CodecError(`invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, column);
    }
  },
};
