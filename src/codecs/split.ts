// split: fields of a line as an array. Without a separator, like awk: runs of blanks separate
// fields and leading and trailing blanks are ignored; with one, split on that exact text.

import type { CodecDef } from './codec.ts';

/** awk's default field splitting: on runs of spaces and tabs, ignoring blanks at the ends. */
export function splitBlanks(line: string): string[] {
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) return fields;
    const start = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    fields.push(line.slice(start, i));
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

export const split: CodecDef = {
  name: 'split',
  summary: 'fields as an array: split on runs of blanks like awk, or on SEP exactly',
  param: 'SEP',
  create: (sep) => (sep ? (line) => line.split(sep) : splitBlanks),
};
