// clf: Common and Combined Log Format lines (Apache, nginx) as objects; what follows the combined
// fields (nginx's "$http_x_forwarded_for", request times, upstream fields) is kept in `extra`.
// A line is first cut into the offsets of its fields, by a scanner that makes no strings for the
// lines most logs hold (no backslash or tab, an ASCII host), else by the regular expressions that define
// the format; one table (CLF_FIELDS) then makes each field's value from the offsets, for the whole
// record and for a fused `--map x.status` that reads only the fields it names.

import { CodecError, type CodecDef, type DecodeRange } from './codec.ts';

/** The common fields; a quoted request may hold `\"` (Apache escapes it so), status may be `-`. */
const HEAD = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?=\s|$)/d;
/** A request line: the method, the target (which may hold spaces) and the protocol if there is one. */
const REQUEST = /^(\S+) (.+?)(?: (HTTP\/[\d.]+))?$/d;

export interface ClfRecord {
  host: string;
  ident: string;
  user: string;
  time: string;
  request: string;
  method: string | null;
  path: string | null;
  protocol: string | null;
  status: number | null;
  bytes: number;
  referer: string | null;
  agent: string | null;
  /** The fields after the agent (or after the bytes, when they are not a quoted referer and agent). */
  extra: string[];
}

// Where each field of a line is in its text: slot i holds [start, end) at 2i and 2i + 1; a start of
// -1 is null. EXTRA is where the extra fields begin and where the line ends.
const HOST = 0;
const IDENT = 1;
const USER = 2;
const TIME = 3;
const REQ = 4;
const METHOD = 5;
const PATH = 6;
const PROTOCOL = 7;
const STATUS = 8;
const BYTES = 9;
const REFERER = 10;
const AGENT = 11;
const EXTRA = 12;

/** The offsets of one line's fields: filled by a cut, read by CLF_FIELDS. */
export type ClfOffsets = Int32Array;
export const clfOffsets = (): ClfOffsets => new Int32Array(2 * EXTRA + 2);

type Read<T> = (text: string, at: ClfOffsets) => T;
const slice =
  (slot: number): Read<string> =>
  (text, at) =>
    text.slice(at[2 * slot]!, at[2 * slot + 1]!);
const orNull =
  (slot: number): Read<string | null> =>
  (text, at) =>
    at[2 * slot]! < 0 ? null : text.slice(at[2 * slot]!, at[2 * slot + 1]!);
const DASH = 45;

/** Each field of a record, read from the offsets of its line: the one list of the fields. */
export const CLF_FIELDS: { readonly [K in keyof ClfRecord]: Read<ClfRecord[K]> } = {
  host: slice(HOST),
  ident: slice(IDENT),
  user: slice(USER),
  time: slice(TIME),
  request: slice(REQ),
  method: orNull(METHOD),
  path: orNull(PATH),
  protocol: orNull(PROTOCOL),
  status: (text, at) => (text.charCodeAt(at[2 * STATUS]!) === DASH ? null : digits(text, at[2 * STATUS]!, at[2 * STATUS + 1]!)),
  bytes: (text, at) => (text.charCodeAt(at[2 * BYTES]!) === DASH ? 0 : digits(text, at[2 * BYTES]!, at[2 * BYTES + 1]!)),
  referer: orNull(REFERER),
  agent: orNull(AGENT),
  extra: (text, at) => trailingFields(text, at[2 * EXTRA]!, at[2 * EXTRA + 1]!).map((f) => text.slice(f.start, f.end)),
};
export type ClfField = keyof ClfRecord;
const FIELD_NAMES = Object.keys(CLF_FIELDS) as ClfField[];
export const isClfField = (name: string): name is ClfField => Object.hasOwn(CLF_FIELDS, name);

/** The value of a run of ASCII digits, as Number() gives it. */
function digits(text: string, start: number, end: number): number {
  if (end - start > 15) return Number(text.slice(start, end)); // past 2^53: Number's rounding
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/**
 * Where a character (or the first of several) next is in a text, found once for many lines: the lines of a
 * text are asked for in order, so each search runs on from the last instead of from every line.
 */
class Next {
  private text = '';
  private from = 0;
  private at = -1;
  private readonly find: (text: string, from: number) => number;
  constructor(find: (text: string, from: number) => number) {
    this.find = find;
  }
  in(text: string, from: number): number {
    if (from < this.from || (this.at >= 0 && this.at < from) || text !== this.text) {
      this.text = text;
      this.from = from;
      this.at = this.find(text, from);
    }
    return this.at;
  }
}

const char = (c: string) => new Next((text, from) => text.indexOf(c, from));

/** The first of several characters, each found as Next finds it, so that a line asks once. */
function firstOf(chars: string[]): Next {
  const each = chars.map(char);
  return new Next((text, from) => {
    let first = -1;
    for (const next of each) {
      const i = next.in(text, from);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    return first;
  });
}

const SPACE = 32;

/** Whether ` HTTP/` is at `i`, compared character by character (measured faster than startsWith at an offset). */
function isHttpSlash(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === SPACE &&
    text.charCodeAt(i + 1) === 72 &&
    text.charCodeAt(i + 2) === 84 &&
    text.charCodeAt(i + 3) === 84 &&
    text.charCodeAt(i + 4) === 80 &&
    text.charCodeAt(i + 5) === 47
  );
}

/**
 * Where a run of printable ASCII (no space) from `from` stops, at most `end`: for the short fields read
 * as \S+ (a host, a method), read character by character, which takes less than a search.
 */
function printableRun(text: string, from: number, end: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); i < end && c > SPACE && c < 127; c = text.charCodeAt(++i));
  return i;
}
const QUOTE = 34;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The offsets of a CLF line's fields without making a string, for a line with no backslash, tab or CR
 * ending whose host, ident, user and method are printable ASCII, whose request has no CR or line
 * separator and whose trailing fields are each quoted or bare without quotes; false for any other line, which the regular
 * expressions then cut (or refuse), so that both give the same for every line.
 */
export class ClfScanner {
  private readonly space = char(' ');
  private readonly quote = char('"');
  private readonly bracket = char(']');
  // what the regular expressions read otherwise than the scanner: escapes, tabs (blanks between the
  // trailing fields) and, in a request, CRs and line separators (which `.` does not match); each is
  // searched once a text, and a line asks only for those that matter to the fields it reads
  private readonly escapesAndTabs = firstOf(['\\', '\t']);
  private readonly lineBreaks = firstOf(['\r', '\u2028', '\u2029']);
  /** Whether the method, path and protocol are read: where they are not, the request is not cut. */
  private readonly cutsRequest: boolean;

  constructor(cutsRequest: boolean) {
    this.cutsRequest = cutsRequest;
  }

  scan(text: string, start: number, end: number, at: ClfOffsets): boolean {
    const odd = this.escapesAndTabs.in(text, start);
    // a CR ending is cut off by the expressions
    if ((odd >= 0 && odd < end) || text.charCodeAt(end - 1) === 13) return false;
    // the other blanks of \s are controls or not ASCII: the fields read as \S+ are checked to be printable ASCII
    // host ident user: each one or more characters then one space
    let i = start;
    for (let slot = HOST; slot <= USER; slot++) {
      const s = printableRun(text, i, end);
      if (s === i || s >= end || text.charCodeAt(s) !== SPACE) return false;
      at[2 * slot] = i;
      at[2 * slot + 1] = s;
      i = s + 1;
    }
    if (i >= end || text.charCodeAt(i) !== 91) return false; // [
    const close = this.bracket.in(text, i + 1);
    if (close <= i + 1 || close + 3 >= end || text.charCodeAt(close + 1) !== SPACE || text.charCodeAt(close + 2) !== QUOTE) return false;
    at[2 * TIME] = i + 1;
    at[2 * TIME + 1] = close;
    const req = close + 3;
    const reqEnd = this.quote.in(text, req);
    if (reqEnd < 0 || reqEnd + 3 >= end || text.charCodeAt(reqEnd + 1) !== SPACE) return false;
    at[2 * REQ] = req;
    at[2 * REQ + 1] = reqEnd;
    // status: three digits or -, a space; bytes: digits or -, then a space or the end
    const st = reqEnd + 2;
    const stEnd = text.charCodeAt(st) === DASH ? st + 1 : isDigit(text.charCodeAt(st)) && isDigit(text.charCodeAt(st + 1)) && isDigit(text.charCodeAt(st + 2)) ? st + 3 : -1;
    if (stEnd < 0 || stEnd + 1 >= end || text.charCodeAt(stEnd) !== SPACE) return false;
    at[2 * STATUS] = st;
    at[2 * STATUS + 1] = stEnd;
    const by = stEnd + 1;
    let byEnd = by;
    if (text.charCodeAt(by) === DASH) byEnd++;
    else while (byEnd < end && isDigit(text.charCodeAt(byEnd))) byEnd++;
    if (byEnd === by || byEnd > end || (byEnd < end && text.charCodeAt(byEnd) !== SPACE)) return false;
    at[2 * BYTES] = by;
    at[2 * BYTES + 1] = byEnd;
    return (!this.cutsRequest || this.request(text, req, reqEnd, at)) && this.trailing(text, byEnd, end, at);
  }

  /** Method, path and protocol as REQUEST cuts them, for a request without tabs, CRs or line separators; false to leave it to REQUEST. */
  private request(text: string, req: number, end: number, at: ClfOffsets): boolean {
    const breaks = this.lineBreaks.in(text, req);
    if (breaks >= 0 && breaks < end) return false;
    const sp = printableRun(text, req, end);
    if (sp < end && text.charCodeAt(sp) !== SPACE) return false; // a method not of printable ASCII
    if (sp === req || sp + 1 >= end) {
      for (const slot of [METHOD, PATH, PROTOCOL]) at[2 * slot] = at[2 * slot + 1] = -1;
      return true;
    }
    at[2 * METHOD] = req;
    at[2 * METHOD + 1] = sp;
    // the protocol: ` HTTP/` and a run of digits and dots that ends the request, after a path of one character or more
    let k = end;
    while (k > sp && (isDigit(text.charCodeAt(k - 1)) || text.charCodeAt(k - 1) === 46)) k--;
    const proto = k - 6;
    const hasProto = k < end && proto >= sp + 2 && isHttpSlash(text, proto);
    at[2 * PATH] = sp + 1;
    at[2 * PATH + 1] = hasProto ? proto : end;
    at[2 * PROTOCOL] = hasProto ? proto + 1 : -1;
    at[2 * PROTOCOL + 1] = hasProto ? end : -1;
    return true;
  }

  /** The referer and agent of a combined line and where the extra fields begin; false for a tail to leave to trailingFields. */
  private trailing(text: string, from: number, end: number, at: ClfOffsets): boolean {
    let i = from;
    let fields = 0;
    let quotedTwo = 0;
    for (;;) {
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i >= end) break;
      if (text.charCodeAt(i) === QUOTE) {
        // "-" (no referer) is read, not searched
        const close = text.charCodeAt(i + 2) === QUOTE && i + 2 < end && text.charCodeAt(i + 1) !== QUOTE ? i + 2 : this.quote.in(text, i + 1);
        if (close < 0 || close >= end || (close + 1 < end && text.charCodeAt(close + 1) !== SPACE)) return false;
        if (fields < 2) {
          quotedTwo++;
          at[2 * (REFERER + fields)] = i + 1;
          at[2 * (REFERER + fields) + 1] = close;
        }
        i = close + 1;
      } else {
        let s = this.space.in(text, i);
        if (s < 0 || s > end) s = end;
        const q = this.quote.in(text, i);
        if (q >= 0 && q < s) return false;
        i = s;
      }
      fields++;
    }
    const combined = quotedTwo === 2;
    if (!combined) at[2 * REFERER] = at[2 * REFERER + 1] = at[2 * AGENT] = at[2 * AGENT + 1] = -1;
    at[2 * EXTRA] = combined ? at[2 * AGENT + 1]! + 1 : from;
    at[2 * EXTRA + 1] = end;
    return true;
  }
}

const lineScanner = new ClfScanner(true);
/** parseClf's offsets, reused: the record's fields are read out of them before it returns (a typed array a line costs a microsecond). */
const lineOffsets = clfOffsets();

/** Made at the first line: not at every start. */
let wholeRecord: ReturnType<typeof recordOf> | undefined;

export function parseClf(line: string): ClfRecord {
  const at = lineOffsets;
  const text = lineScanner.scan(line, 0, line.length, at) ? line : cutClf(line, at);
  return (wholeRecord ??= recordOf(FIELD_NAMES))(text, at) as ClfRecord;
}

/**
 * A maker of the record of fields `names` from a line's offsets: an object literal made for them,
 * so every record has one shape from the start (stores by name in a loop took three times as long).
 */
function recordOf(names: ClfField[]): (text: string, at: ClfOffsets) => Partial<ClfRecord> {
  const members = names.map((name) => `${name}: fields.${name}(text, at)`);
  return new Function('fields', `return (text, at) => ({ ${members.join(', ')} });`)(CLF_FIELDS);
}

/**
 * `--parse clf --map 'x.F'` or `--map '[x.F, x.G]'` in one: the fields named, read without making
 * the record (or the strings of the other fields) where the scanner takes the line.
 */
export function clfFieldsDecoder(names: ClfField[], asArray: boolean): DecodeRange {
  const { at, of } = offsetsReading(names);
  const reads = names.map((n) => CLF_FIELDS[n]);
  const read = reads[0]!;
  if (!asArray) return (text, start, end) => read(of(text, start, end), at);
  return (text, start, end) => {
    const t = of(text, start, end);
    return reads.map((r) => r(t, at));
  };
}

/** `--parse clf` for expressions that read only the fields named: a record of those fields alone. */
export function clfRecordDecoder(names: ClfField[]): DecodeRange {
  const { at, of } = offsetsReading(names);
  const record = recordOf(names);
  return (text, start, end) => record(of(text, start, end), at);
}

/** The offsets of a line for reading `names`: cut by a scanner (that cuts the request only if they need it), else by the expressions. */
function offsetsReading(names: ClfField[]): { at: ClfOffsets; of: (text: string, start: number, end: number) => string } {
  const scanner = new ClfScanner(names.some((n) => n === 'method' || n === 'path' || n === 'protocol'));
  const at = clfOffsets();
  return { at, of: (text, start, end) => (scanner.scan(text, start, end, at) ? text : cutClf(text.slice(start, end), at)) };
}

/**
 * Fill `at` with the offsets of the fields of `line` by the format's regular expressions, or throw
 * why it is not CLF; returns the text the offsets are in (the line without a CR ending).
 */
export function cutClf(line: string, at: ClfOffsets): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const m = HEAD.exec(text);
  if (!m) throw new CodecError('not a common or combined log format line');
  const groups = m.indices!;
  const put = (slot: number, g: [number, number] | undefined, base = 0) => {
    at[2 * slot] = g ? base + g[0] : -1;
    at[2 * slot + 1] = g ? base + g[1] : -1;
  };
  [HOST, IDENT, USER, TIME, REQ, STATUS, BYTES].forEach((slot, i) => put(slot, groups[i + 1]));
  const req = at[2 * REQ]!;
  const request = REQUEST.exec(text.slice(req, at[2 * REQ + 1]));
  [METHOD, PATH, PROTOCOL].forEach((slot, i) => put(slot, request?.indices![i + 1], req));
  const tail = m[0].length;
  const rest = trailingFields(text, tail, text.length);
  // combined: a quoted referer and agent come first; anything else is extra
  const combined = rest.length >= 2 && rest[0]!.quoted && rest[1]!.quoted;
  put(REFERER, combined ? [rest[0]!.start, rest[0]!.end] : undefined);
  put(AGENT, combined ? [rest[1]!.start, rest[1]!.end] : undefined);
  put(EXTRA, [combined ? rest[1]!.end + 1 : tail, text.length]);
  return text;
}

interface Field {
  start: number;
  end: number;
  quoted: boolean;
}

/**
 * The blank-separated fields of `line` from `from` to `n`: a quoted one is its text inside the quotes
 * as written (escapes kept, as for the referer); a bare one runs to the next blank, any quoted part in
 * it (`uct="a b"`) included.
 */
function trailingFields(line: string, from: number, n: number): Field[] {
  const fields: Field[] = [];
  const blank = (c: string | undefined) => c === ' ' || c === '\t';
  let i = from;
  for (;;) {
    while (i < n && blank(line[i])) i++;
    if (i >= n) return fields;
    let j = i;
    if (line[i] === '"') {
      for (j = i + 1; j < n && line[j] !== '"'; j += line[j] === '\\' ? 2 : 1);
      if (j >= n) throw new CodecError('unterminated quoted field', i + 1);
      if (j + 1 < n && !blank(line[j + 1])) throw new CodecError('unexpected text after a quoted field', j + 2);
      fields.push({ start: i + 1, end: j, quoted: true });
      i = j + 1;
      continue;
    }
    for (let inQuotes = false; j < n && (inQuotes || !blank(line[j])); j++) {
      if (line[j] === '"') inQuotes = !inQuotes;
      else if (inQuotes && line[j] === '\\') j++;
    }
    j = Math.min(j, n);
    fields.push({ start: i, end: j, quoted: false });
    i = j;
  }
}

export const clf: CodecDef = {
  name: 'clf',
  summary: 'Common/Combined Log Format as {host, user, time, method, path, status, bytes, referer, agent, extra, ...}',
  create: () => parseClf,
};
