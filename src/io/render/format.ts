// How records become output lines: --format text|json|csv|tsv (csv and tsv with a header or given
// columns), and --print's Spark layout.

import { didYouMean } from '../../core/suggest.ts';

export const FORMATS = ['text', 'json', 'csv', 'tsv'] as const;
/** What a shell completes for --format: the names, and the options of csv and tsv (parseFormat takes them). */
export const FORMAT_WORDS: readonly string[] = [...FORMATS, ...['csv', 'tsv'].flatMap((name) => [`${name}:header`, `${name}:cols=`])];
/** A format as written: a name of FORMATS, csv and tsv perhaps with `:header` or `:cols=A,B`. */
export type Format = string;

/** A record the format cannot write (a Promise, a key outside the columns): a bad record. */
export class RenderError extends Error {}

/** A record's text; `header()` is the header line, once the columns are known, for formats that have one. */
export interface Render {
  (rec: unknown): string;
  header?: () => string | undefined;
}

interface Delimited {
  /** Write a header line; `columns` also fixes the columns before any record is seen. */
  header: boolean;
  columns?: string[];
}

/** The parts of a format as written, or an Error saying what is wrong with it. */
function parseFormat(spec: string): { name: (typeof FORMATS)[number]; delimited: Delimited } {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const option = colon < 0 ? undefined : spec.slice(colon + 1);
  if (!(FORMATS as readonly string[]).includes(name)) throw new Error(`'${spec}' is not one of ${FORMATS.join(', ')}${didYouMean(name, FORMATS)}`);
  const format = name as (typeof FORMATS)[number];
  if (option === undefined) return { name: format, delimited: { header: false } };
  if (format !== 'csv' && format !== 'tsv') throw new Error(`${name} takes no option: '${spec}'`);
  if (option === 'header') return { name: format, delimited: { header: true } };
  if (option.startsWith('cols=')) {
    const columns = option.slice(5).split(',');
    if (columns.some((c) => c === '')) throw new Error(`${name}:cols= needs column names separated by commas: '${spec}'`);
    const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
    if (twice.length) throw new Error(`${name}:cols= names '${twice[0]}' more than once`);
    return { name: format, delimited: { header: true, columns } };
  }
  throw new Error(`unknown ${name} option '${option}': use ${name}:header or ${name}:cols=A,B,...`);
}

/** Throws saying what is wrong with a format as written (the --format option's check). */
export function checkFormat(spec: string): void {
  parseFormat(spec);
}

/** A string as is, a number as its decimal text, anything else as compact JSON. */
function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined) return '';
  return toJson(v) ?? '';
}

/**
 * JSON text of a value, a Set as an array and a Map as an object (or, with keys that are not
 * strings or numbers, as [key, value] pairs). What JSON cannot hold (a Promise, a cycle, a BigInt
 * inside) is a RenderError.
 */
function toJson(v: unknown): string | undefined {
  try {
    const text = JSON.stringify(v);
    // Sets, Maps and Promises have no fields of their own, so JSON gives `{}` for them: only text
    // holding `{}` is made again with the (slower) replacer that says what they hold
    return text !== undefined && text.includes('{}') ? JSON.stringify(v, plain) : text;
  } catch (err) {
    if (err instanceof RenderError) throw err;
    throw new RenderError(`cannot be written as JSON: ${(err as Error).message}`);
  }
}

function plain(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Set) return [...v];
  if (v instanceof Map) {
    const entries = [...v];
    return entries.every(([k]) => typeof k === 'string' || typeof k === 'number') ? Object.fromEntries(entries) : entries;
  }
  if (typeof (v as { then?: unknown }).then === 'function') {
    throw new RenderError('a Promise is not a value: expressions are not awaited, return a plain value');
  }
  return v;
}

function isPair(rec: unknown): rec is [unknown, unknown] {
  return Array.isArray(rec) && rec.length === 2;
}

function csvField(v: unknown): string {
  const text = scalarText(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function tsvField(v: unknown): string {
  return scalarText(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * csv and tsv: an array's fields in order; an object's values under columns that the first object
 * (or `cols=`) fixes, so that records whose keys come in another order, or are missing, stay
 * aligned. A key outside the columns would lose its value: the record is refused.
 */
function delimited(sep: string, field: (v: unknown) => string, options: Delimited, name: string): Render {
  let columns = options.columns;
  let known = columns && new Set(columns);
  const fieldsOf = (rec: unknown): unknown[] => {
    const value = plain('', rec);
    if (Array.isArray(value)) {
      if (columns && options.header && value.length > columns.length) throw new RenderError(`${value.length} fields where the columns are ${columns.join(', ')}`);
      return value;
    }
    if (value === null || typeof value !== 'object') return [value];
    const obj = value as Record<string, unknown>;
    if (!columns) {
      columns = Object.keys(obj);
      known = new Set(columns);
    }
    for (const key in obj) {
      if (Object.hasOwn(obj, key) && !known!.has(key) && obj[key] !== undefined) {
        throw new RenderError(`'${key}' is not one of the columns ${columns.join(', ')}: name them all with ${name}:cols=A,B,...`);
      }
    }
    return columns.map((c) => (Object.hasOwn(obj, c) ? obj[c] : undefined));
  };
  const render: Render = (rec) => {
    const cells = fieldsOf(rec).map(field);
    // one empty field written as an empty line would read back as no record
    return cells.length === 1 && cells[0] === '' && sep === ',' ? '""' : cells.join(sep);
  };
  if (options.header) {
    render.header = () => {
      if (!columns) throw new RenderError(`${name}:header names the columns after the first object's keys, and this record has none: name them with ${name}:cols=A,B,...`);
      return columns.map(field).join(sep);
    };
  }
  return render;
}

export function renderer(spec: Format): Render {
  const { name, delimited: options } = parseFormat(spec);
  switch (name) {
    case 'text':
      return (rec) => (isPair(rec) ? `${scalarText(rec[0])}\t${scalarText(rec[1])}` : scalarText(rec));
    case 'json':
      return (rec) => toJson(rec) ?? 'null';
    case 'csv':
      return delimited(',', csvField, options, name);
    case 'tsv':
      return delimited('\t', tsvField, options, name);
  }
}

/** A pair's key as a message key, a topic's or stream entry's part carries it: a string as it is, else JSON. */
export function keyText(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/** A record as Spark's print() shows it: pairs, nested too, as Scala tuples `(k,v)`. */
export function sparkText(rec: unknown): string {
  if (isPair(rec)) return `(${sparkText(rec[0])},${sparkText(rec[1])})`;
  if (rec === undefined) return 'null';
  return scalarText(rec);
}

const RULE = '-------------------------------------------';

/** Spark's DStream.print() header for batch `time`. */
export function printHeader(time: number): string {
  return `${RULE}\nTime: ${time} ms\n${RULE}\n`;
}
