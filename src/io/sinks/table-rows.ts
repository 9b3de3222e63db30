// Records as rows of a database table: a pair is a `key` and a `value` column (with `spread`, the
// value's fields), an object's fields are columns, anything else is one `value` column. Column types
// come from a batch (or ?columns=), an existing table is checked against them, and each value is
// checked against its column, so that a record that does not fit is named with its column.

/** The column types sluice writes; `any` is a column that takes every value (SQLite's untyped one). */
export type ColumnType = 'text' | 'integer' | 'float' | 'boolean' | 'json';
export type HeldType = ColumnType | 'any';

export interface Column {
  name: string;
  type: HeldType;
  /** The database's own name for the type, for messages and casts. */
  sql: string;
}

/** A table as the database has it. */
export interface TableShape {
  columns: Column[];
  /** The primary key's columns; empty when there is none. */
  key: string[];
}

/** The column sluice adds: the time of the batch that wrote the row. */
export const BATCH_TIME = 'batch_time';

const TYPE_NAMES: Record<string, ColumnType> = {
  text: 'text', string: 'text',
  int: 'integer', integer: 'integer', bigint: 'integer',
  float: 'float', double: 'float', real: 'float',
  bool: 'boolean', boolean: 'boolean',
  json: 'json',
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `?columns=a:text,b:int` as columns; throws saying what is wrong. */
export function parseColumns(spec: string): { name: string; type: ColumnType }[] {
  return spec.split(',').map((part) => {
    const [name = '', type = '', extra] = part.split(':').map((s) => s.trim());
    if (extra !== undefined || !NAME.test(name) || !(type.toLowerCase() in TYPE_NAMES)) {
      throw new Error(`'${part}' is not NAME:TYPE (TYPE one of text, int, float, bool, json; NAME letters, digits and _)`);
    }
    return { name, type: TYPE_NAMES[type.toLowerCase()]! };
  });
}

/** `?table=` and `?key=` names: letters, digits and _, and for a table an optional `schema.` before it. */
export function checkName(text: string, qualified = false): void {
  const parts = qualified ? text.split('.') : [text];
  if (parts.length > 2 || !parts.every((p) => NAME.test(p))) throw new Error(`'${text}' is not a name of letters, digits and _${qualified ? ' (SCHEMA.TABLE allowed)' : ''}`);
}

/** A `?table=` name, perhaps SCHEMA.TABLE, quoted part by part. */
export function qualified(table: string, quote: (name: string) => string): string {
  return table.split('.').map(quote).join('.');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A pair [k, v] is two columns, `key` and `value`. */
export function isPair(rec: unknown): rec is [unknown, unknown] {
  return Array.isArray(rec) && rec.length === 2;
}

/** The columns a record fills, by name. */
export function fieldsOf(rec: unknown, spread: boolean): Record<string, unknown> {
  if (isPair(rec)) {
    const [key, value] = rec;
    return spread && isObject(value) ? { ...value, key } : { key, value };
  }
  return isObject(rec) ? rec : { value: rec };
}

/** The type a value asks for; undefined for null, which any column takes. */
export function typeOf(v: unknown): ColumnType | undefined {
  switch (typeof v) {
    case 'string':
      return 'text';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'integer';
    case 'number':
      return Number.isSafeInteger(v) ? 'integer' : 'float';
    case 'object':
      return v === null ? undefined : 'json';
    default:
      return undefined;
  }
}

/** One type for two values of a column: whole numbers widen to float, nested values to json, the rest to text. */
function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if ((a === 'integer' && b === 'float') || (a === 'float' && b === 'integer')) return 'float';
  return a === 'json' || b === 'json' ? 'json' : 'text';
}

/** A column the rows need; no type when all its values are null. */
export interface Wanted {
  name: string;
  type?: ColumnType;
}

/** The columns `records` fill, in the order first seen, with the type that takes all their values. */
export function inferColumns(records: Record<string, unknown>[]): Wanted[] {
  const types = new Map<string, ColumnType | undefined>();
  for (const fields of records) {
    for (const name in fields) {
      const t = typeOf(fields[name]);
      const was = types.get(name);
      types.set(name, was && t ? widen(was, t) : (was ?? t));
    }
  }
  return [...types].map(([name, type]) => ({ name, type }));
}

/** Whether a column of type `held` takes the values of type `given` (text and json take anything, as text). */
export function takes(held: HeldType, given: ColumnType): boolean {
  return held === given || held === 'any' || held === 'text' || held === 'json' || (held === 'float' && given === 'integer');
}

/**
 * What keeps `table` from taking rows of `wanted` columns (upserted on `key` when given), one
 * phrase each; empty when it can.
 */
export function shapeProblems(table: TableShape, wanted: Wanted[], key: string[] | undefined): string[] {
  const problems: string[] = [];
  const held = new Map(table.columns.map((c) => [c.name, c]));
  for (const { name, type } of wanted) {
    const column = held.get(name);
    if (!column) problems.push(`no column '${name}'`);
    else if (type && !takes(column.type, type)) problems.push(`column '${name}' is ${column.sql}, the rows have ${type}`);
  }
  if (key && [...key].sort().join() !== [...table.key].sort().join()) {
    problems.push(`upsert on (${key.join(', ')}) needs it as the primary key; the table's is ${table.key.length ? `(${table.key.join(', ')})` : 'missing'}`);
  }
  return problems;
}

/** A value as its column stores it (json as its text), or why it does not fit. */
export function encode(v: unknown, column: Column): { value: unknown } | { error: string } {
  if (v === null || v === undefined) return { value: null };
  const given = typeOf(v);
  if (given === undefined) return { error: `column '${column.name}' cannot take a ${typeof v}` };
  const held = column.type;
  if (held === 'json' || (given === 'json' && (held === 'text' || held === 'any'))) return { value: JSON.stringify(v) };
  if (held === 'text') return { value: typeof v === 'string' ? v : String(v) };
  if (!takes(held, given)) return { error: `column '${column.name}' is ${column.sql} and cannot take ${JSON.stringify(v)?.slice(0, 100)}` };
  return { value: typeof v === 'bigint' ? String(v) : v };
}
