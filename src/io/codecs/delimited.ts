// csv and tsv: each line is a row of fields, an array of strings; with `:header` the first line
// names the fields and later rows are objects. A CSV quoted field may hold newlines (RFC 4180): its
// record then takes several lines, which the intake joins (csvContinues says when).

import { CodecError, SKIP, type CodecDef, type Continues, type Decode, type FileState } from './codec.ts';

/** RFC 4180 fields of one line: quotes around a field allow the separator and doubled quotes. */
export function splitCsv(line: string, sep = ','): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) throw new CodecError('unterminated quoted field', i + 1);
        value += line.slice(from, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i < line.length && line[i] !== sep && !(line[i] === '\r' && i === line.length - 1)) {
        throw new CodecError(`unexpected text after a quoted field`, i + 1);
      }
    } else {
      let end = line.indexOf(sep, i);
      if (end < 0) end = line.length;
      fields.push(line.slice(i, end).replace(/\r$/, ''));
      i = end;
    }
    if (i >= line.length || line[i] === '\r') return fields;
    i++; // past the separator
  }
}

const TSV_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '\\': '\\' };

/**
 * TSV fields of one line, each unescaped as --format tsv escapes it (\t, \n, \r, \\, the convention
 * of PostgreSQL's COPY and linear TSV); a backslash before anything else stays as it is.
 */
export function splitTsv(line: string): string[] {
  const fields = (line.endsWith('\r') ? line.slice(0, -1) : line).split('\t');
  return fields.map((f) => (f.includes('\\') ? f.replace(/\\([tnr\\])/g, (_, c: string) => TSV_ESCAPES[c]!) : f));
}

/**
 * The names a header line gives: a UTF-8 byte order mark before the first is not part of it (Excel
 * writes one), and a name given twice would make one field hide the other.
 */
export function headerNames(fields: string[]): string[] {
  const names = fields.map((f, i) => (i === 0 && f.startsWith('\uFEFF') ? f.slice(1) : f));
  const twice = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (twice.length) throw new CodecError(`the header names ${twice.map((n) => `'${n}'`).join(', ')} more than once: each field needs a name of its own`);
  return names;
}

/**
 * Whether a CSV record open before this line (inside a quoted field) or opened in it is still inside
 * a quoted field at the line's end (RFC 4180: a quoted field may hold newlines).
 */
export const csvContinues: Continues = (text, start, end, open) => {
  let quoted = open;
  let fieldStart = !open;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34) {
        if (i + 1 < end && text.charCodeAt(i + 1) === 34) i++; // a doubled quote
        else quoted = false;
      }
    } else if (c === 34 && fieldStart) quoted = true;
    else fieldStart = c === 44; /* , */
  }
  return quoted;
};

function withHeader(split: (line: string) => string[], header: string | undefined): Decode {
  if (header === undefined) return split;
  if (header !== 'header') throw new CodecError(`unknown option '${header}': use :header or nothing`);
  // the header of the file being read: each file has its own (see FileState)
  let names: string[] | undefined;
  /** Why the header was refused: its rows are refused too, rather than one of them taken for the header. */
  let refused: string | undefined;
  const decode = (line: string) => {
    // a blank line is no row (as Python's csv.DictReader): a trailing empty line is common
    if (line === '' || line === '\r') return SKIP;
    if (refused) throw new CodecError(`no header to name the fields: ${refused}`);
    const fields = split(line);
    if (!names) {
      try {
        names = headerNames(fields);
      } catch (err) {
        refused = (err as Error).message;
        throw err;
      }
      return SKIP;
    }
    if (fields.length !== names.length) throw new CodecError(`${fields.length} fields where the header has ${names.length}`);
    // fromEntries defines each name as a field of its own, `__proto__` too
    return Object.fromEntries(names.map((name, i) => [name, fields[i]]));
  };
  const fileState: FileState = {
    get: () => names,
    set: (state) => {
      names = Array.isArray(state) ? state.map(String) : undefined;
      refused = undefined;
    },
  };
  return Object.assign(decode, { fileState });
}

export const csv: CodecDef = {
  name: 'csv',
  summary: 'comma-separated fields (RFC 4180 quoting, newlines in quotes too) as an array; csv:header gives objects',
  param: 'header',
  create: (param) => Object.assign(withHeader((line) => splitCsv(line), param), { continues: csvContinues }),
};

export const tsv: CodecDef = {
  name: 'tsv',
  summary: 'tab-separated fields as an array (\\t \\n \\r \\\\ unescaped); tsv:header gives objects',
  param: 'header',
  // a CRLF line ending leaves no CR in the last field, as with csv
  create: (param) => withHeader(splitTsv, param),
};
