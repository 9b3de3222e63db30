// What a codec is: it turns one input line into a record, or throws CodecError saying why not.

export type Decode = (line: string) => unknown;

export interface CodecDef {
  name: string;
  summary: string;
  /** How the part after `name:` is written in help, if the codec takes one. */
  param?: string;
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
