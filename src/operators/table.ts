// A static table of [key, value] rows read from a CSV, TSV, JSON or NDJSON file (--join-with,
// --initial-state), read again when the file changes, so a lookup table can be updated live.
// A CSV or TSV lookup table has a header and its rows are objects; a file of pairs (initial states)
// is headerless KEY,STATE lines.

import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { note } from '../core/report.ts';
import { CodecError, SKIP } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { IoError, ioFailure, messageOf, UsageError } from '../core/errors.ts';

export type Row = [key: unknown, value: unknown];

/** What a CSV or TSV line is: a row under a header (a lookup table), or a KEY,STATE pair (initial states). */
export type Shape = 'rows' | 'pairs';

const FORMATS: Record<string, (text: string, path: string, shape: Shape) => Row[]> = {
  '.csv': (text, path, shape) => (shape === 'pairs' ? pairs : delimited)(text, path, 'csv'),
  '.tsv': (text, path, shape) => (shape === 'pairs' ? pairs : delimited)(text, path, 'tsv'),
  '.json': (text, path) => {
    const data = parseJson(text, path, 1);
    if (Array.isArray(data)) return data.map((row, i) => rowOf(row, `${path}: element ${i}`));
    if (data !== null && typeof data === 'object') return Object.entries(data);
    throw new IoError(`${path}: a table is an object {key: value, ...} or an array of rows`);
  },
  '.ndjson': (text, path) => ndjson(text, path),
  '.jsonl': (text, path) => ndjson(text, path),
};

/** The rows of the table at `path`; its extension says its format. Throws IoError saying where it is wrong. */
export function readTable(path: string, shape: Shape = 'rows'): Row[] {
  const parse = FORMATS[extname(path).toLowerCase()];
  if (!parse) throw new UsageError(`${path}: a table file ends in ${Object.keys(FORMATS).join(', ')}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ioFailure(`cannot read ${path}`, err);
  }
  return parse(text.replace(/^\uFEFF/, ''), path, shape); // a byte-order mark (as spreadsheets write) is not part of the first field
}

/** A table file watched for changes: rows() reads it again when it has changed since the last read. */
export class Table {
  private readonly path: string;
  /** How messages name what reads the table (`--join-with`). */
  private readonly label: string;
  private stamp: string;
  private current: Row[];
  private warned = '';

  constructor(path: string, label: string) {
    this.path = path;
    this.label = label;
    this.stamp = this.stat();
    this.current = readTable(path);
  }

  /** The rows and whether they were read again. A change that does not read keeps the last good rows. */
  rows(): { rows: Row[]; changed: boolean } {
    const stamp = this.stat();
    if (stamp === this.stamp) return { rows: this.current, changed: false };
    try {
      this.current = readTable(this.path);
      this.stamp = stamp;
      this.warned = '';
      return { rows: this.current, changed: true };
    } catch (err) {
      // half written, or gone for a moment: keep the last good rows, say so once, and try again next batch
      if (this.warned !== messageOf(err)) {
        this.warned = messageOf(err);
        note(`${this.label}: ${this.path} changed and cannot be read (${this.warned}); joining with the table as it was until it reads again`);
      }
      return { rows: this.current, changed: false };
    }
  }

  private stat(): string {
    const st = statSync(this.path, { throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'gone';
  }
}

function rowOf(row: unknown, where: string): Row {
  if (Array.isArray(row) && row.length === 2) return row as Row;
  if (row !== null && typeof row === 'object' && !Array.isArray(row)) {
    const first = Object.values(row)[0];
    if (first !== undefined) return [first, row];
  }
  throw new IoError(`${where}: a row is a pair [key, value] or an object keyed by its first field`);
}

function ndjson(text: string, path: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim()) rows.push(rowOf(parseJson(line, path, i + 1), `${path}:${i + 1}`));
  });
  return rows;
}

/** Rows under a header line, keyed by their first column, decoded as --parse csv:header (tsv:header) does. */
function delimited(text: string, path: string, codec: 'csv' | 'tsv'): Row[] {
  const lines = text.split('\n');
  const [first] = decoded(() => createDecoder(codec)(lines[0]!), path, 1) as string[];
  const withHeader = createDecoder(`${codec}:header`);
  const rows: Row[] = [];
  lines.forEach((line, i) => {
    if (i > 0 && !line.replace(/\r$/, '')) return;
    const row = decoded(() => withHeader(line), path, i + 1) as Record<string, string> | typeof SKIP;
    if (row !== SKIP) rows.push([row[first!], row]);
  });
  return rows;
}

/**
 * KEY,STATE lines without a header (Spark's initial state RDD of pairs): the key as text, the state
 * as the JSON value it spells (`5`, `"x"`, `{"n": 1}`), else as text. A first line whose state is
 * text where the others' are JSON values is a header, and refused as one.
 */
function pairs(text: string, path: string, codec: 'csv' | 'tsv'): Row[] {
  const split = createDecoder(codec);
  const form = `KEY${codec === 'csv' ? ',' : '<TAB>'}STATE`;
  const lines: { key: string; cell: string; state: { value: unknown } | undefined }[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.replace(/\r$/, '')) return;
    const fields = decoded(() => split(line), path, i + 1) as string[];
    if (fields.length !== 2) throw new IoError(`${path}:${i + 1}: ${fields.length} fields; a line of initial states is ${form}`);
    lines.push({ key: fields[0]!, cell: fields[1]!, state: jsonOf(fields[1]!) });
  });
  const [first, ...rest] = lines;
  if (first && !first.state && rest.length && rest.every((l) => l.state)) {
    throw new IoError(`${path}:1: '${first.key}', '${first.cell}' looks like a header; a file of initial states has none, only ${form} lines`);
  }
  return lines.map(({ key, cell, state }) => [key, state ? state.value : cell]);
}

/** The JSON value a cell spells, if it is JSON. */
function jsonOf(cell: string): { value: unknown } | undefined {
  try {
    return { value: decodeJson(cell) };
  } catch {
    return undefined;
  }
}

/** What `decode` gives, or an IoError at `path:line[:column]` saying why not. */
function decoded(decode: () => unknown, path: string, line: number): unknown {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    throw new IoError(`${path}:${line}${err.column ? `:${err.column}` : ''}: ${err.message}`);
  }
}

const decodeJson = createDecoder('json');

/** JSON text that starts at line `firstLine` of the file: an error names the line and column in the file. */
function parseJson(text: string, path: string, firstLine: number): unknown {
  try {
    return decodeJson(text);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    let where = firstLine > 1 || text.indexOf('\n') < 0 ? `${path}:${firstLine}` : path;
    if (err.column !== undefined) {
      const before = text.slice(0, err.column - 1);
      where = `${path}:${firstLine + before.split('\n').length - 1}:${err.column - 1 - before.lastIndexOf('\n')}`;
    }
    throw new IoError(`${where}: ${err.message}`);
  }
}
