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
  const decode = (line: string) => {
    const fields = split(line);
    if (!names) {
      names = fields;
      return SKIP;
    }
    if (fields.length !== names.length) throw new CodecError(`${fields.length} fields where the header has ${names.length}`);
    // fromEntries defines each name as a field of its own, `__proto__` too
    return Object.fromEntries(names.map((name, i) => [name, fields[i]]));
  };
  const fileState: FileState = {
    get: () => names,
    set: (state) => void (names = Array.isArray(state) ? state.map(String) : undefined),
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
  summary: 'tab-separated fields as an array; tsv:header gives objects',
  param: 'header',
  // a CRLF line ending leaves no CR in the last field, as with csv
  create: (param) => withHeader((line) => (line.endsWith('\r') ? line.slice(0, -1) : line).split('\t'), param),
};
