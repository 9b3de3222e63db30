// `sqlite:PATH?table=T`: the embedded database sink, on Node's built-in node:sqlite (no server, no
// native build). WAL journal with full sync: a committed batch survives a crash of the process or
// the machine. Rows go in with prepared multi-row INSERTs.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { checkTableParams, DATABASE_PARAMS, databaseSink, type Connection, type Dialect } from './database.ts';
import type { SinkDef } from './sink.ts';
import { qualified, type Column, type HeldType, type TableShape } from './table-rows.ts';

/** Rows per INSERT statement: SQLite binds at most 32766 values in one. */
const ROWS_PER_INSERT = 200;

/** A declared type as SQLite's affinity rules read it (https://sqlite.org/datatype3.html §3.1), plus BOOLEAN and JSON. */
function heldType(declared: string): HeldType {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (/REAL|FLOA|DOUB/.test(t)) return 'float';
  if (t.includes('BOOL')) return 'boolean';
  if (t.includes('JSON')) return 'json';
  return 'any';
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The transaction on each file open now in this process, and what ends it: SQLite has one writer at
 * a time, and its busy wait would block the one thread that could finish the other sink's.
 */
const writing = new Map<string, Promise<void>>();

class SqliteConnection implements Connection {
  private readonly db: DatabaseSync;
  private readonly path: string;
  private done: (() => void) | undefined;
  /** Prepared INSERTs by their text. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.path = path;
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
    this.db = new DatabaseSync(path, { timeout: 10_000 });
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
  }

  async query(sql: string, params: unknown[] = []) {
    if (sql === 'BEGIN') {
      // the other sinks' transactions on this file first; then take the write lock at once
      while (writing.has(this.path)) await writing.get(this.path);
      writing.set(this.path, new Promise((resolve) => (this.done = resolve)));
      sql = 'BEGIN IMMEDIATE';
    }
    try {
      return this.run(sql, params);
    } finally {
      if (sql === 'COMMIT' || sql === 'ROLLBACK' || (sql === 'BEGIN IMMEDIATE' && !this.db.isTransaction)) this.release();
    }
  }

  private release() {
    writing.delete(this.path);
    this.done?.();
    this.done = undefined;
  }

  private run(sql: string, params: unknown[]) {
    const statement = this.db.prepare(sql);
    return (statement.columns().length ? statement.all(...(params as never[])) : (statement.run(...(params as never[])), [])) as Record<string, unknown>[];
  }

  async describe(table: string): Promise<TableShape | undefined> {
    const [schema, name] = table.includes('.') ? table.split('.') : ['main', table];
    const info = this.db.prepare(`PRAGMA ${quote(schema!)}.table_info(${quote(name!)})`).all() as { name: string; type: string; pk: number }[];
    if (!info.length) return undefined;
    return {
      columns: info.map((c) => ({ name: c.name, type: heldType(c.type), sql: c.type || 'untyped' })),
      key: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
    };
  }

  async insert(table: string, columns: Column[], rows: unknown[][], onConflict: string) {
    const one = `(${columns.map(() => '?').join(', ')})`;
    const statement = (n: number) => {
      const sql = `INSERT INTO ${qualified(table, quote)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES ${Array(n).fill(one).join(', ')}${onConflict}`;
      let s = this.statements.get(sql);
      if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
      return s;
    };
    const values: unknown[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      values.length = 0;
      for (const row of chunk) for (const v of row) values.push(typeof v === 'boolean' ? Number(v) : v);
      statement(chunk.length).run(...(values as never[]));
    }
  }

  async close() {
    this.release();
    if (this.db.isOpen) this.db.close();
  }
}

export const sqlite: SinkDef = {
  scheme: 'sqlite',
  usage: 'sqlite:PATH?table=T',
  summary: 'write each batch into a table of an SQLite database file, in one transaction',
  params: DATABASE_PARAMS,
  target(path, params, problem) {
    if (!path) problem('needs a database file, e.g. sqlite:out.db?table=counts');
    checkTableParams(params, problem);
    return path;
  },
  create(path, params, options, uri) {
    const dialect: Dialect = {
      name: 'SQLite',
      connect: async () => new SqliteConnection(path),
      quote,
      typeName: (type) => ({ text: 'TEXT', integer: 'INTEGER', float: 'REAL', boolean: 'BOOLEAN', json: 'JSON' })[type],
      param: () => '?',
      forUpdate: '',
      onConflict: (key, update) =>
        ` ON CONFLICT (${key.map(quote).join(', ')}) DO ${update.length ? `UPDATE SET ${update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}` : 'NOTHING'}`,
      lost: () => false,
      refused: (err) => (err as { code?: string }).code === 'ERR_SQLITE_ERROR' && /unable to open|not a database/.test((err as Error).message),
    };
    return databaseSink(dialect, params, options, uri);
  },
};
