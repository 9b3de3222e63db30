// Problems found in a YAML file, each tied to a place in it and reported as GNU-style
// `FILE:LINE:COL: message` lines, in file order, all at once.

import { Scalar, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column inside a value's text (an expression's syntax error). */
export interface InText {
  line: number;
  column: number;
}

export class Problems {
  /** Scalars whose value ${VAR} changed: a position inside them no longer matches the file. */
  readonly rewritten = new WeakSet<Node>();
  /** Nodes already reported as wrong at their root (a bad ${VAR}): further problems there would only repeat it. */
  readonly settled = new WeakSet<Node>();
  private readonly found: { offset: number; text: string }[] = [];
  private readonly file: string;
  private readonly source: string;
  private readonly lines: LineCounter;

  constructor(file: string, source: string, lines: LineCounter) {
    this.file = file;
    this.source = source;
    this.lines = lines;
  }

  get count(): number {
    return this.found.length;
  }

  /** A problem at `node` (its start), or at a place inside a scalar's text when `inside` says where. */
  at(node: Node | null | undefined, message: string, inside?: InText): void {
    if (node && this.settled.has(node)) return;
    const start = node?.range?.[0];
    if (start === undefined) return this.note(this.file, message);
    const exact = inside && node instanceof Scalar && !this.rewritten.has(node);
    const offset = exact ? (offsetIn(node, this.source, inside) ?? start) : start;
    this.atOffset(offset, message);
  }

  atOffset(offset: number, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.found.push({ offset, text: `${this.file}:${line}:${col}: ${message}` });
  }

  /** A problem with no place in the file (a `--set` override), reported first. */
  note(where: string, message: string): void {
    this.found.push({ offset: -1, text: `${where}: ${message}` });
  }

  /** Every problem, in the order of the file. */
  list(): string[] {
    return this.found.toSorted((a, b) => a.offset - b.offset).map((p) => p.text);
  }
}

/**
 * The offset in the file of a line and column of a scalar's value. Plain and quoted scalars on
 * one line and literal block scalars (`|`) map exactly; for others (folded, multi-line flow
 * scalars) it gives up and the scalar's start is used.
 */
function offsetIn(node: Scalar, source: string, { line, column }: InText): number | undefined {
  const [start, end] = node.range!;
  const text = source.slice(start, end);
  if (node.type === Scalar.BLOCK_LITERAL) {
    const body = text.split('\n').slice(1);
    const indent = body.find((l) => l.trim())?.search(/\S/) ?? 0;
    if (line > body.length) return undefined;
    return start + text.indexOf('\n') + 1 + body.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + indent + column - 1;
  }
  if (line !== 1 || text.includes('\n') || node.type === Scalar.BLOCK_FOLDED) return undefined;
  if (node.type === Scalar.PLAIN) return start + column - 1;
  // quoted: walk the source, one value character at a time, over escapes ('' or \n, \x41, \u00e9)
  let at = start + 1;
  for (let n = 1; n < column && at < end; n++) {
    if (node.type === Scalar.QUOTE_SINGLE) at += source.startsWith("''", at) ? 2 : 1;
    else at += source[at] !== '\\' ? 1 : ({ x: 4, u: 6, U: 10 }[source[at + 1]!] ?? 2);
  }
  return at;
}
