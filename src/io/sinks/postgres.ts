// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB?table=T` (also `postgresql://`): the PostgreSQL sink,
// with `pg`. Rows go in as one array per column through `INSERT ... SELECT * FROM unnest(...)`:
// a statement of any number of rows with one parameter per column, near COPY's speed, and unlike
// COPY it can upsert. The password comes from the URI or the usual PGPASSWORD, PGUSER, ... variables.

import type { Client } from 'pg';
import { checkTableParams, DATABASE_PARAMS, NETWORK_CODES, databaseSink, type Connection, type Dialect } from './database.ts';
import type { SinkDef } from './sink.ts';
import { qualified, type Column, type HeldType, type TableShape } from './table-rows.ts';

/** Rows per statement: big enough that a batch of 1M rows is a hundred statements, small enough that one stays a few MB. */
const ROWS_PER_INSERT = 10_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function heldType(type: string): HeldType {
  if (/^(text|character|"char"|name|citext)/.test(type)) return 'text';
  if (/^(bigint|integer|smallint)$/.test(type)) return 'integer';
  if (/^(double precision|real|numeric)/.test(type)) return 'float';
  if (type === 'boolean') return 'boolean';
  if (type === 'json' || type === 'jsonb') return 'json';
  return 'any'; // the server converts the text (a timestamp, ...)
}

/** SQLSTATEs of a connection that is gone or not yet there: connection exceptions, shutdowns, too many clients. */
const LOST_STATES = /^(08|57P0[123]|53300)/;
const LOST_MESSAGES = /Connection terminated|connection timeout|not queryable|Connection refused/i;

class PostgresConnection implements Connection {
  private readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  async query(sql: string, params?: unknown[]) {
    return (await this.client.query(sql, params)).rows as Record<string, unknown>[];
  }

  async describe(table: string): Promise<TableShape | undefined> {
    const { rows } = await this.client.query<{ name: string; type: string; pk: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, coalesce(a.attnum = ANY(i.indkey), false) AS pk
       FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
       WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [qualified(table, quote)],
    );
    if (!rows.length) return undefined;
    return { columns: rows.map((r) => ({ name: r.name, type: heldType(r.type), sql: r.type })), key: rows.filter((r) => r.pk).map((r) => r.name) };
  }

  async insert(table: string, columns: Column[], rows: unknown[][], onConflict: string) {
    const names = columns.map((c) => quote(c.name)).join(', ');
    const arrays = columns.map((c, i) => `$${i + 1}::${c.sql}[]`).join(', ');
    const sql = `INSERT INTO ${qualified(table, quote)} (${names}) SELECT * FROM unnest(${arrays})${onConflict}`;
    for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
      const chunk = rows.slice(at, at + ROWS_PER_INSERT);
      await this.client.query(sql, columns.map((_, i) => chunk.map((row) => row[i])));
    }
  }

  async close() {
    await this.client.end();
  }
}

/** The target rule: the connection string, which must name a database. */
const target: SinkDef['target'] = (path, params, problem) => {
  const connectionString = `postgres://${path}`;
  if (!URL.canParse(connectionString) || !new URL(connectionString).pathname.slice(1)) problem('expected postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE?table=T');
  checkTableParams(params, problem);
  return connectionString;
};

const create: SinkDef['create'] = (connectionString, params, options, uri) => {
  const dialect: Dialect = {
    name: 'PostgreSQL',
    async connect() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString, application_name: 'sluice', keepAlive: true, connectionTimeoutMillis: 10_000 });
      client.on('error', () => {}); // a connection lost while idle: the next query says so
      try {
        await client.connect();
      } catch (err) {
        void client.end().catch(() => {});
        throw err;
      }
      return new PostgresConnection(client);
    },
    quote,
    typeName: (type) => ({ text: 'text', integer: 'bigint', float: 'double precision', boolean: 'boolean', json: 'jsonb' })[type],
    param: (n) => `$${n}`,
    forUpdate: ' FOR UPDATE',
    onConflict: (key, update) =>
      ` ON CONFLICT (${key.map(quote).join(', ')}) DO ${update.length ? `UPDATE SET ${update.map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`).join(', ')}` : 'NOTHING'}`,
    lost(err) {
      const { code } = err as { code?: string };
      return NETWORK_CODES.has(code ?? '') || LOST_STATES.test(code ?? '') || LOST_MESSAGES.test((err as Error).message);
    },
    // bad credentials, no such role or database
    refused: (err) => /^(28|3D)/.test((err as { code?: string }).code ?? ''),
  };
  return databaseSink(dialect, params, options, uri);
};

export const postgres: SinkDef = {
  scheme: 'postgres',
  usage: 'postgres://USER@HOST[:PORT]/DB?table=T',
  summary: 'write each batch into a PostgreSQL table, in one transaction (PGPASSWORD and the other PG variables are read)',
  params: DATABASE_PARAMS,
  target,
  create,
};

export const postgresql: SinkDef = { ...postgres, scheme: 'postgresql', usage: 'postgresql://USER@HOST[:PORT]/DB?table=T' };
