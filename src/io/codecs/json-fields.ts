// json-fields: `--parse json --map 'x.a'` or `--map '[x.a, x.b.c]'` in one. A scanner walks the line,
// checking that all of it is JSON, and makes values only for the fields named (strings, numbers,
// literals; a nested object or array named is parsed by JSON.parse). A line it does not take (not an
// object, an escaped key, a path through a value that is not an object, JSON it refuses) goes the
// general way: JSON.parse and the expression, which then give what they give or throw what they throw.
// Most NDJSON lines are flat objects of strings without escapes, numbers and literals: a regular
// expression checks many such lines at once, and a top-level field of one is found by searching for
// its quoted name and colon, which is then where it seems (a key, not inside a string).

import type { DecodeRange } from './codec.ts';

/** The names from the record to a field: ['a', 'b'] for x.a.b. */
export type JsonPath = readonly string[];

/**
 * Whether the scanner can read a field by this name: not one every object has by inheritance, which
 * `x.constructor` gives from a line that has no such key (where the scanner would say undefined).
 */
export const isOwnFieldName = (name: string) => !(name in Object.prototype);

/** The fields wanted in one object: by name, the slot its value goes to (-1: none) and the object within it whose fields are wanted. */
interface Level {
  names: string[];
  slots: number[];
  inner: (Level | undefined)[];
  /** The last occurrence of this level's key in its parent held an object (a path through it can be read). */
  seen: boolean;
}

const FAIL = -1;
const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** Past this depth of nesting the general way takes the line (the scanner recurses). */
const MAX_DEPTH = 64;

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/**
 * The decoder of `--parse json` then a map whose value is the field at `paths[0]` (or, `asArray`, the
 * array of the fields at `paths`), with `general` (the line's JSON.parse and the expression) for the
 * lines the scanner does not take.
 */
export function jsonFieldsDecoder(paths: JsonPath[], asArray: boolean, general: (line: string) => unknown): DecodeRange {
  const top: Level = level();
  const levels: Level[] = [];
  const slotOf = new Map<string, number>();
  // a path written twice reads one slot
  const order = paths.map((path) => {
    const key = JSON.stringify(path);
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(key, slot);
      let at = top;
      path.forEach((name, i) => {
        let n = at.names.indexOf(name);
        if (n < 0) n = at.names.push(name) - 1;
        at.slots[n] ??= -1;
        if (i === path.length - 1) at.slots[n] = slot!;
        else {
          if (!at.inner[n]) levels.push((at.inner[n] = level()));
          at = at.inner[n]!;
        }
      });
    }
    return slot;
  });
  const values: unknown[] = new Array(slotOf.size);
  const flat = levels.length || !top.names.every((name) => SEARCHABLE_NAME.test(name)) ? undefined : new FlatLines();
  const keys = top.names.map((name) => `"${name}":`);
  const scan = (text: string, start: number, end: number) => {
    if (flat?.has(text, start, end)) {
      for (let n = 0; n < keys.length; n++) values[top.slots[n]!] = flatField(text, start, end, keys[n]!);
      return true;
    }
    values.fill(undefined);
    for (const l of levels) l.seen = false;
    const i = skipSpace(text, start, end);
    if (text.charCodeAt(i) !== OPEN_BRACE || i >= end) return false;
    const after = objectEnd(text, i, end, top, values, 0);
    return after !== FAIL && skipSpace(text, after, end) === end && levels.every((l) => l.seen);
  };
  if (!asArray) return (text, start, end) => (scan(text, start, end) ? values[0] : general(text.slice(start, end)));
  return (text, start, end) => {
    if (!scan(text, start, end)) return general(text.slice(start, end));
    const out = new Array(order.length);
    for (let k = 0; k < order.length; k++) out[k] = values[order[k]!];
    return out;
  };
}

const level = (): Level => ({ names: [], slots: [], inner: [], seen: false });

const PLAIN_STRING = '"[^"\\\\\\x00-\\x1f]*"';
const SCALAR = `(?:${PLAIN_STRING}|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)`;
/** A key and its value as JSON.stringify writes them, or Python's json.dumps (a space after the colon). */
const MEMBER = `${PLAIN_STRING}: ?${SCALAR}`;
/** A flat line: blanks only after a colon or a comma, where JSON writers put them (a CR ending too). */
const FLAT_LINE = `\\{(?:${MEMBER}(?:, ?${MEMBER})*)?\\}\\r?`;

/**
 * Characters checked at once, at most: the run's backtracking entries must fit in the engine's stack
 * (16 MB of short lines did not). A longer line is not seen to end there, and is left to the scanner.
 */
const CHECKED_AT_ONCE = 1 << 16;
/** At most this many lines go unchecked after one that is not flat (a run of flat lines after them waits no longer). */
const MAX_SKIP = 256;

/**
 * Which lines of a text are flat: a JSON object of scalars, its strings without escapes. Checked for a
 * run of lines at once, from the first asked about: the intake asks for the lines of a text in order.
 */
class FlatLines {
  private readonly run = runOf(FLAT_LINE);
  /**
   * The run of lines with the keys of the first flat line, in its order: a writer's lines mostly have
   * them, and literal keys are checked in two thirds of the time. Tried first; the rest is left to `run`.
   */
  private shaped: RegExp | undefined;
  private text = '';
  private from = 0;
  /** Where the run of flat lines from `from` ends: after the newline of its last line, at the end of the text, or where the check stopped. */
  private to = -1;
  /**
   * Lines not to check after a line that is not flat, doubled at each such line checked: where most
   * are not, the regular expression would read much of each only to leave it to the scanner.
   */
  private skip = 0;
  private skipped = 0;

  has(text: string, start: number, end: number): boolean {
    if (start < this.from || start >= this.to || text !== this.text) {
      if (this.skipped < this.skip) {
        this.skipped++;
        return false;
      }
      this.text = text;
      this.from = start;
      const lines = text.slice(start, start + CHECKED_AT_ONCE);
      let flat = this.shaped ? runLength(this.shaped, lines) : 0;
      if (!flat) {
        flat = runLength(this.run, lines);
        if (flat && !this.shaped) this.shaped = runOf(shapeOf(lines));
      }
      this.to = start + flat;
      this.skip = this.to === start ? Math.min(2 * this.skip || 1, MAX_SKIP) : 0;
      this.skipped = 0;
    }
    // the line is one of the run: its newline is in it, or it is the last line of the text, with none
    return text.charCodeAt(end) === 10 ? end < this.to : end === this.to && end === text.length && start < end && text.charCodeAt(end - 1) !== 10;
  }
}

/** The run of lines like `line` (a regular expression's source) from the start of a text. */
const runOf = (line: string) => new RegExp(`(?:${line}(?:\\n|$))*`, 'y');

/** How many characters of `text` the run `re` takes: the lines it holds, with their newlines. */
function runLength(re: RegExp, text: string): number {
  re.lastIndex = 0;
  re.test(text);
  return re.lastIndex;
}

/** FLAT_LINE with the keys of the first line of `text`, a flat one, in their order. */
function shapeOf(text: string): string {
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  // a string is a key where it follows { or , and a colon follows it (a value is followed by , or })
  const keys = [...first.matchAll(/[{,] ?"([^"]*)":/g)].map((m) => m[1]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return `\\{${keys.map((key) => `"${key}": ?${SCALAR}`).join(', ?')}\\}\\r?`;
}

/**
 * A name whose `"name":` is a key wherever it is in a flat line: not one with a quote, backslash or
 * control character (no key in a line without escapes is), nor with a colon or comma (`":":` is in `{"a":":"}`).
 */
const SEARCHABLE_NAME = /^[^"\\:,\x00-\x1f]*$/;

/**
 * The top-level field `key` (`"name":`) of the flat line text.slice(start, end). Its strings have no
 * escapes, so a quote there is where a string begins or ends, and one followed by a colon is a key:
 * the last is the one JSON.parse keeps; none means the field is missing.
 */
function flatField(text: string, start: number, end: number, key: string): unknown {
  const at = text.lastIndexOf(key, end - key.length);
  if (at < start) return undefined;
  let i = at + key.length;
  if (text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  if (c === QUOTE) return text.slice(i + 1, text.indexOf('"', i + 1));
  if (c === MINUS || isDigit(c)) return numberAt(text, i, end);
  return c === 116 ? true : c === 102 ? false : null;
}

/** The JSON number at `i` (checked, ending by `end`), as JSON.parse reads it: a whole one added up as its digits are read. */
function numberAt(text: string, i: number, end: number): number {
  const negative = text.charCodeAt(i) === MINUS;
  let k = negative ? i + 1 : i;
  let n = 0;
  for (let c = text.charCodeAt(k); isDigit(c) && k < end; c = text.charCodeAt(++k)) n = n * 10 + c - ZERO;
  const after = k < end ? text.charCodeAt(k) | 32 : 0;
  // past 15 digits a double may not hold it: Number's rounding, as for a fraction or an exponent
  if (k - i > 15 || after === 46 || after === 101) return Number(text.slice(i, numberEnd(text, i, end)));
  return negative ? -n : n;
}

function skipSpace(text: string, i: number, end: number): number {
  for (let c = text.charCodeAt(i); i < end && (c === 32 || c === 9 || c === 13 || c === 10); c = text.charCodeAt(++i));
  return i;
}

/** Set by stringEnd: the string it scanned holds an escape. */
let escaped = false;

/** Where the string whose quote is at `i` ends (after its closing quote), or FAIL; sets `escaped`. */
function stringEnd(text: string, i: number, end: number): number {
  escaped = false;
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 32) return FAIL;
    if (c === BACKSLASH) {
      escaped = true;
      const e = j + 1 < end ? text.charCodeAt(j + 1) : -1;
      // \" \\ \/ \b \f \n \r \t, or \u and four hex digits
      if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) j++;
      else if (e === 117 && j + 5 < end && isHex(text.charCodeAt(j + 2)) && isHex(text.charCodeAt(j + 3)) && isHex(text.charCodeAt(j + 4)) && isHex(text.charCodeAt(j + 5))) j += 5;
      else return FAIL;
    }
  }
  return FAIL;
}

const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** Where the JSON number at `i` ends, or FAIL: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function numberEnd(text: string, i: number, end: number): number {
  let j = i;
  if (text.charCodeAt(j) === MINUS) j++;
  if (j >= end) return FAIL;
  const first = text.charCodeAt(j);
  if (first === ZERO) j++;
  else if (isDigit(first)) while (++j < end && isDigit(text.charCodeAt(j)));
  else return FAIL;
  if (j < end && text.charCodeAt(j) === 46) {
    if (++j >= end || !isDigit(text.charCodeAt(j))) return FAIL;
    while (++j < end && isDigit(text.charCodeAt(j)));
  }
  if (j < end && (text.charCodeAt(j) | 32) === 101) {
    if (++j < end && (text.charCodeAt(j) === 43 || text.charCodeAt(j) === MINUS)) j++;
    if (j >= end || !isDigit(text.charCodeAt(j))) return FAIL;
    while (++j < end && isDigit(text.charCodeAt(j)));
  }
  return j;
}

/** Where the word (true, false, null) at `i` ends, or FAIL if it is not there. */
function wordEnd(text: string, i: number, end: number, word: string): number {
  const j = i + word.length;
  return j <= end && text.startsWith(word, i) ? j : FAIL;
}

/** Where the JSON value at `i` ends, checked, or FAIL. */
function valueEnd(text: string, i: number, end: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (i >= end) return FAIL;
  if (c === QUOTE) return stringEnd(text, i, end);
  if (c === MINUS || isDigit(c)) return numberEnd(text, i, end);
  if (c === OPEN_BRACE) return objectEnd(text, i, end, undefined, undefined, depth + 1);
  if (c === OPEN_BRACKET) return arrayEnd(text, i, end, depth + 1);
  if (c === 116) return wordEnd(text, i, end, 'true');
  if (c === 102) return wordEnd(text, i, end, 'false');
  if (c === 110) return wordEnd(text, i, end, 'null');
  return FAIL;
}

function arrayEnd(text: string, i: number, end: number, depth: number): number {
  if (depth > MAX_DEPTH) return FAIL;
  i = skipSpace(text, i + 1, end);
  if (i < end && text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
  for (;;) {
    i = valueEnd(text, i, end, depth);
    if (i === FAIL) return FAIL;
    i = skipSpace(text, i, end);
    if (i >= end) return FAIL;
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) return i + 1;
    if (c !== 44) return FAIL;
    i = skipSpace(text, i + 1, end);
  }
}

/** Where the object at `i` ends, or FAIL; the values of the fields `wanted` in it go to their slots of `values`. */
function objectEnd(text: string, i: number, end: number, wanted: Level | undefined, values: unknown[] | undefined, depth: number): number {
  if (depth > MAX_DEPTH) return FAIL;
  i = skipSpace(text, i + 1, end);
  if (i < end && text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (i >= end || text.charCodeAt(i) !== QUOTE) return FAIL;
    const keyEnd = stringEnd(text, i, end);
    if (keyEnd === FAIL) return FAIL;
    // an escaped key may be a wanted one written otherwise: the general way reads it
    const n = wanted ? (escaped ? -2 : indexOfKey(wanted.names, text, i + 1, keyEnd - 1)) : -1;
    if (n === -2) return FAIL;
    i = skipSpace(text, keyEnd, end);
    if (i >= end || text.charCodeAt(i) !== 58) return FAIL;
    i = skipSpace(text, i + 1, end);
    i = n < 0 ? valueEnd(text, i, end, depth) : wantedValueEnd(text, i, end, wanted!, n, values!, depth);
    if (i === FAIL) return FAIL;
    i = skipSpace(text, i, end);
    if (i >= end) return FAIL;
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return i + 1;
    if (c !== 44) return FAIL;
    i = skipSpace(text, i + 1, end);
  }
}

function indexOfKey(names: string[], text: string, start: number, end: number): number {
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    if (name.length === end - start && text.startsWith(name, start)) return n;
  }
  return -1;
}

/** valueEnd for the value of field `n` of `wanted`, which also puts it in its slot (a later duplicate key overwrites it, as in JSON.parse). */
function wantedValueEnd(text: string, i: number, end: number, wanted: Level, n: number, values: unknown[], depth: number): number {
  const slot = wanted.slots[n]!;
  const inner = wanted.inner[n];
  const c = text.charCodeAt(i);
  let j: number;
  if (inner) {
    // a path through it: read only in an object (through another value the expression gives what it gives)
    if (c !== OPEN_BRACE) return FAIL;
    clear(inner, values);
    inner.seen = true;
    j = objectEnd(text, i, end, inner, values, depth + 1);
    if (j !== FAIL && slot >= 0) values[slot] = JSON.parse(text.slice(i, j));
    return j;
  }
  if (c === QUOTE) {
    j = stringEnd(text, i, end);
    if (j !== FAIL) values[slot] = escaped ? JSON.parse(text.slice(i, j)) : text.slice(i + 1, j - 1);
  } else if (c === MINUS || isDigit(c)) {
    j = numberEnd(text, i, end);
    if (j !== FAIL) values[slot] = numberAt(text, i, j);
  } else {
    j = valueEnd(text, i, end, depth);
    if (j !== FAIL) values[slot] = JSON.parse(text.slice(i, j));
  }
  return j;
}

/** Forget what an earlier occurrence of this object's key put in the slots of its fields. */
function clear(l: Level, values: unknown[]): void {
  for (let n = 0; n < l.names.length; n++) {
    if (l.slots[n]! >= 0) values[l.slots[n]!] = undefined;
    const inner = l.inner[n];
    if (inner) {
      inner.seen = false;
      clear(inner, values);
    }
  }
}
