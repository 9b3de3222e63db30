// `mysql://USER[:PASSWORD]@HOST[:PORT]/DB?table=T` (also `mariadb://`): the MySQL and MariaDB sink,
// with `mysql2`. Rows go in as multi-row INSERTs of about 1 MB each (the server takes 16 MB at most
// by default), upserts as INSERT ... ON DUPLICATE KEY UPDATE. The password comes from the URI or
// MYSQL_PWD, as for the mysql client.

import { userInfo } from 'node:os';
import type { ConnectionOptions, Connection as MysqlClient } from 'mysql2/promise';
import { checkTableParams, DATABASE_PARAMS, NETWORK_CODES, databaseSink, type Connection, type Dialect } from './database.ts';
import type { SinkDef } from './sink.ts';
import { qualified, type Column, type HeldType, type TableShape } from './table-rows.ts';

/** About this many bytes of values per INSERT statement. */
const INSERT_BYTES = 1 << 20;

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

function heldType(data: string, type: string): HeldType {
  if (type === 'tinyint(1)') return 'boolean';
  if (/int$/.test(data)) return 'integer';
  if (/^(float|double|decimal)$/.test(data)) return 'float';
  if (/char$|text$/.test(data)) return 'text';
  return data === 'json' ? 'json' : 'any';
}

const LOST_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_CONNECTION_KILLED']);
const REFUSED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);

class MysqlConnection implements Connection {
  private readonly client: MysqlClient;

  constructor(client: MysqlClient) {
    this.client = client;
  }

  async query(sql: string, params?: unknown[]) {
    const [rows] = await this.client.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as Record<string, unknown>[];
  }

  async describe(table: string): Promise<TableShape | undefined> {
    const [schema, name] = table.includes('.') ? table.split('.') : [null, table];
    const rows = (await this.query(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS data, COLUMN_TYPE AS type, COLUMN_KEY AS k FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [schema, name],
    )) as { name: string; data: string; type: string; k: string }[];
    if (!rows.length) return undefined;
    return { columns: rows.map((r) => ({ name: r.name, type: heldType(r.data, r.type), sql: r.type })), key: rows.filter((r) => r.k === 'PRI').map((r) => r.name) };
  }

  async insert(table: string, columns: Column[], rows: unknown[][], onConflict: string) {
    const sql = `INSERT INTO ${qualified(table, quote)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES ?${onConflict}`;
    for (let at = 0; at < rows.length; ) {
      let bytes = 0;
      let end = at;
      while (end < rows.length && bytes < INSERT_BYTES) {
        for (const v of rows[end++]!) bytes += typeof v === 'string' ? v.length + 3 : 8;
      }
      await this.client.query(sql, [rows.slice(at, end)]);
      at = end;
    }
  }

  async close() {
    await this.client.end();
  }
}

/** The target rule: HOST[:PORT]/DATABASE with the credentials, as mysql2 takes them. */
const target: SinkDef<ConnectionOptions>['target'] = (path, params, problem) => {
  const url = URL.canParse(`mysql://${path}`) ? new URL(`mysql://${path}`) : undefined;
  const database = url && decodeURIComponent(url.pathname.slice(1));
  if (!url?.hostname || !database) problem('expected mysql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE?table=T');
  checkTableParams(params, problem);
  if (!url) return {};
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username) || userInfo().username,
    password: url.password ? decodeURIComponent(url.password) : process.env.MYSQL_PWD,
    database,
    charset: 'utf8mb4',
    connectTimeout: 10_000,
    enableKeepAlive: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
};

const create: SinkDef<ConnectionOptions>['create'] = (config, params, options, uri) => {
  const dialect: Dialect = {
    name: 'MySQL',
    async connect() {
      const { createConnection } = (await import('mysql2/promise')).default; // CommonJS (see brokers.ts)
      const client = await createConnection(config);
      client.on('error', () => {}); // a connection lost while idle: the next query says so
      // no gap locks: two sinks locking their own, not yet written, sluice_batches rows would deadlock
      await client.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      return new MysqlConnection(client);
    },
    quote,
    typeName: (type, key) => (key && (type === 'text' || type === 'json') ? 'VARCHAR(512)' : { text: 'LONGTEXT', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN', json: 'JSON' }[type]),
    param: () => '?',
    forUpdate: ' FOR UPDATE',
    onConflict: (key, update) => ` ON DUPLICATE KEY UPDATE ${(update.length ? update : key.slice(0, 1)).map((c) => `${quote(c)} = VALUES(${quote(c)})`).join(', ')}`,
    lost(err) {
      const { code, fatal } = err as { code?: string; fatal?: boolean };
      return NETWORK_CODES.has(code ?? '') || LOST_CODES.has(code ?? '') || (fatal === true && !REFUSED_CODES.has(code ?? '')) || /closed state/.test((err as Error).message);
    },
    refused: (err) => REFUSED_CODES.has((err as { code?: string }).code ?? ''),
  };
  return databaseSink(dialect, params, options, uri);
};

export const mysql: SinkDef<ConnectionOptions> = {
  scheme: 'mysql',
  usage: 'mysql://USER@HOST[:PORT]/DB?table=T',
  summary: 'write each batch into a MySQL or MariaDB table, in one transaction (MYSQL_PWD is read)',
  params: DATABASE_PARAMS,
  target,
  create,
};

export const mariadb: SinkDef<ConnectionOptions> = { ...mysql, scheme: 'mariadb', usage: 'mariadb://USER@HOST[:PORT]/DB?table=T' };
