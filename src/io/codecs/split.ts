// split: fields of a line as an array. Without a separator, like awk: runs of blanks separate
// fields and leading and trailing blanks are ignored; with one, split on that exact text.

import type { CodecDef, DecodeRange } from './codec.ts';

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

/**
 * Field `n` of a split line, found without splitting it (undefined when the line is shorter):
 * the fused form of `--parse split --map 'x[N]'`, which makes no array and no other field strings.
 */
export function fieldDecoder(sep: string | undefined, n: number): DecodeRange {
  if (sep) {
    return (text, start, end) => {
      let from = start;
      for (let f = 0; f < n; f++) {
        const at = text.indexOf(sep, from);
        if (at < 0 || at + sep.length > end) return undefined;
        from = at + sep.length;
      }
      const at = text.indexOf(sep, from);
      return text.slice(from, at < 0 || at > end ? end : at);
    };
  }
  // A line with no tab (most logs) is scanned for spaces with indexOf, several times faster than a
  // loop over its characters. Where the next tab is, is found once for many lines: the intake hands
  // the lines of a text in order, and a new text from its start (a start not after the last one).
  let last = Infinity;
  let nextTab = -1;
  return (text, start, end) => {
    if (start <= last || (nextTab >= 0 && nextTab < start)) nextTab = text.indexOf('\t', start);
    last = start;
    const tabs = nextTab >= 0 && nextTab < end;
    let i = start;
    for (let f = 0; ; f++) {
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      if (i >= end) return undefined;
      const from = i;
      if (tabs) while (i < end && !isBlank(text.charCodeAt(i))) i++;
      else {
        i = text.indexOf(' ', i);
        if (i < 0 || i > end) i = end;
      }
      if (f === n) return text.slice(from, i);
    }
  };
}
