// What a codec is: it turns one input line into a record, or throws CodecError saying why not.

export type Decode = (line: string) => unknown;

/** Returned by a decoder for a line that yields no record (a CSV header). */
export const SKIP = Symbol('skip');

/**
 * Decodes the line `text.slice(start, end)` without necessarily making that slice: the form the
 * intake calls, so that fused fast paths (a single field of a split line) never copy whole lines.
 */
export type DecodeRange = (text: string, start: number, end: number) => unknown;

/** The range form of a line decoder; no decoder means the record is the line itself. */
export function rangeDecoder(decode: Decode | undefined): DecodeRange {
  return decode ? (text, start, end) => decode(text.slice(start, end)) : (text, start, end) => text.slice(start, end);
}

export interface CodecDef {
  name: string;
  summary: string;
  /** How the part after `name:` is written in help, if the codec takes one. */
  param?: string;
  /** The part after `name:` must be given (regex:RE); otherwise it may be left out (csv[:header]). */
  paramRequired?: boolean;
  /** Create a decoder for one source (codecs such as `csv:header` keep per-source state). */
  create(param: string | undefined): Decode;
}

/** A line a codec cannot decode; `column` is 1-based where the codec knows it. */
export class CodecError extends Error {
  readonly column: number | undefined;
  constructor(reason: string, column?: number) {
    super(reason);
    this.column = column;
  }
}
