// How records become output lines: --format text|json|csv|tsv, and --print's Spark layout.

export const FORMATS = ['text', 'json', 'csv', 'tsv'] as const;
export type Format = (typeof FORMATS)[number];

/** A string as is, a number as its decimal text, anything else as compact JSON. */
function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined) return '';
  return JSON.stringify(v);
}

function isPair(rec: unknown): rec is [unknown, unknown] {
  return Array.isArray(rec) && rec.length === 2;
}

/** The fields of a record for csv and tsv: a pair or an array field by field, an object's values. */
function fields(rec: unknown): unknown[] {
  if (Array.isArray(rec)) return rec;
  if (rec !== null && typeof rec === 'object') return Object.values(rec);
  return [rec];
}

function csvField(v: unknown): string {
  const text = scalarText(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function tsvField(v: unknown): string {
  return scalarText(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export type Render = (rec: unknown) => string;

export function renderer(format: Format): Render {
  switch (format) {
    case 'text':
      return (rec) => (isPair(rec) ? `${scalarText(rec[0])}\t${scalarText(rec[1])}` : scalarText(rec));
    case 'json':
      return (rec) => JSON.stringify(rec) ?? 'null';
    case 'csv':
      return (rec) => fields(rec).map(csvField).join(',');
    case 'tsv':
      return (rec) => fields(rec).map(tsvField).join('\t');
  }
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
