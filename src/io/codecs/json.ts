// json: each line is one JSON value (NDJSON).

import { CodecError, SKIP, type CodecDef } from './codec.ts';

export const json: CodecDef = {
  name: 'json',
  summary: 'each line is a JSON value (NDJSON); blank lines are skipped',
  create: () => (line) => {
    // a line of JSON whitespace holds no value: skipped, as jq does
    if (line === '' || (isJsonSpace(line.charCodeAt(0)) && /^[ \t\r]*$/.test(line))) return SKIP;
    try {
      return JSON.parse(line);
    } catch (err) {
      const message = (err as Error).message;
      const at = /position (\d+)/.exec(message);
      // V8 gives no position when the text ends too soon (the error is at the end of the line), nor
      // for a character that cannot begin a value (then the column is left out)
      const column = at ? Number(at[1]) + 1 : /end of JSON input/.test(message) ? line.length + 1 : undefined;
      throw new CodecError(`invalid JSON: ${jsonReason(message)}`, column);
    }
  },
};

/**
 * V8's JSON.parse message without the position and the quoted text: the caller says where, a dead
 * letter holds the text; control characters escaped, so that it is one line a terminal shows as is.
 */
export function jsonReason(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$|, .*is not valid JSON$/s, '')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}
