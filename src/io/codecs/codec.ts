// What a codec is: it turns one input line into a record, or throws CodecError saying why not.

/**
 * What a decoder learns from a file's first lines (csv:header's names) belongs to that file. The
 * intake keeps it per file: it takes it with get() when text of another file comes, and hands back
 * with set() what it took for the file that goes on (undefined for a new file); a checkpoint keeps
 * it, so a resume in the middle of a file goes on with that file's header.
 */
export interface FileState {
  /** JSON-serialisable; undefined while nothing is learnt yet. */
  get(): unknown;
  set(state: unknown): void;
}

/**
 * Whether a record open before the line `text.slice(start, end)` (`open`), or opened in it, is still
 * open at its end: a CSV quoted field holding a newline. The intake then joins the lines that follow.
 */
export type Continues = (text: string, start: number, end: number, open: boolean) => boolean;

export type Decode = ((line: string) => unknown) & { fileState?: FileState; continues?: Continues };

/** Returned by a decoder for a line that yields no record (a CSV header). */
export const SKIP = Symbol('skip');

/**
 * Decodes the line `text.slice(start, end)` without necessarily making that slice: the form the
 * intake calls, so that fused fast paths (a single field of a split line) never copy whole lines.
 */
export type DecodeRange = ((text: string, start: number, end: number) => unknown) & { fileState?: FileState; continues?: Continues };

/** The range form of a line decoder; no decoder means the record is the line itself. */
export function rangeDecoder(decode: Decode | undefined): DecodeRange {
  if (!decode) return (text, start, end) => text.slice(start, end);
  return Object.assign((text: string, start: number, end: number) => decode(text.slice(start, end)), { fileState: decode.fileState, continues: decode.continues });
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
