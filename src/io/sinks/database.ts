// What the database sinks share (sqlite:, postgres://, mysql://): each batch's records become rows,
// written in one transaction that commits before the batch counts as done. With --checkpoint the
// batch's time is recorded in `sluice_batches` in that same transaction, so a batch re-run after a
// crash is found there and skipped: never applied twice. A lost connection is retried with backoff,
// the whole batch again, with one message per outage, while the sources are held.

import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, SinkRefusedError, SluiceError, messageOf } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import { redactedUri, type ParamValues, type Problem, type UriParam } from '../uri.ts';
import type { Sink, SinkOptions } from './sink.ts';
import {
  BATCH_TIME, checkName, encode, fieldsOf, inferColumns, isPair, parseColumns, qualified, shapeProblems,
  type Column, type ColumnType, type TableShape,
} from './table-rows.ts';

/** One open connection, as the shared part drives it. */
export interface Connection {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** The table as the database has it; undefined when there is none. */
  describe(table: string): Promise<TableShape | undefined>;
  /** Insert `rows` (values in the order of `columns`) in the open transaction, by the fastest path, `onConflict` after the values. */
  insert(table: string, columns: Column[], rows: unknown[][], onConflict: string): Promise<void>;
  close(): Promise<void>;
}

/** How one database is spoken to. */
export interface Dialect {
  /** For messages: `PostgreSQL`. */
  name: string;
  connect(): Promise<Connection>;
  /** One name (a column's, a table's) quoted. */
  quote(name: string): string;
  /** The type a created column gets; `key`: it is (part of) the primary key. */
  typeName(type: ColumnType, key: boolean): string;
  /** Statement placeholder `n` (from 1). */
  param(n: number): string;
  /** What locks the rows a SELECT reads until the transaction ends. */
  forUpdate: string;
  /** What makes an INSERT update the row already there with the same key. */
  onConflict(key: string[], update: string[]): string;
  /** The error is the connection's (gone, refused, never made): retry on a new one. */
  lost(err: unknown): boolean;
  /** The server refuses this client (credentials, no such database): retrying cannot help. */
  refused(err: unknown): boolean;
}

/** The ?key= parameters every database sink takes. */
export const DATABASE_PARAMS: readonly UriParam[] = [
  { name: 'table', value: { kind: 'string', metavar: 'NAME' }, summary: 'the table written (required); created when missing', check: (t) => checkName(t, true) },
  { name: 'mode', value: { kind: 'choice', choices: ['upsert', 'append'] }, summary: 'upsert: one row per key, replaced each batch (the default for pairs); append: one row per record' },
  { name: 'key', value: { kind: 'string', metavar: 'COL[,COL]' }, summary: "the primary key to upsert on (default 'key', a pair's key)", check: (k) => k.split(',').forEach((n) => checkName(n)) },
  { name: 'columns', value: { kind: 'string', metavar: 'COL:TYPE,...' }, summary: 'pin the columns and their types (text, int, float, bool, json) instead of inferring them from the first batch', check: (c) => void parseColumns(c) },
  { name: 'spread', value: { kind: 'flag' }, default: 'false', summary: "a pair's object value spreads into columns beside 'key'" },
];

const MARKS = 'sluice_batches';

/**
 * CREATE TABLE IF NOT EXISTS, which still fails when another session creates the table at the same
 * moment (PostgreSQL: a unique violation in its catalog), as a run killed mid-statement or a second
 * sink of the run may: the table that session made will do.
 */
async function createTable(c: Connection, table: string, sql: string): Promise<void> {
  try {
    await c.query(sql);
  } catch (err) {
    if (!(await c.describe(table))) throw err;
  }
}

/** Socket errors that mean the server is gone or not there yet. */
export const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Where the table stands: to be created or checked at the first batch with records, then known. */
interface Target {
  columns: Map<string, Column>;
  /** Upsert on these; undefined when appending. */
  key: string[] | undefined;
  batchTime: boolean;
}

/** What every database sink's target rule checks of its parameters (`table`, how `key` and `mode` go together). */
export function checkTableParams(params: ParamValues, problem: Problem): void {
  if (!params.table) problem('needs ?table=NAME');
  if (params.key !== undefined && params.mode === 'append') problem('key is for mode=upsert');
}

/** A database sink: its URI's target and parameters were checked by its target rule (with checkTableParams). */
export function databaseSink(dialect: Dialect, params: ParamValues, options: SinkOptions, uri: string): Sink {
  const label = redactedUri(uri);
  const table = params.table as string;
  const pinned = params.columns === undefined ? undefined : parseColumns(params.columns as string);
  const givenKey = (params.key as string | undefined)?.split(',');
  const spread = params.spread as boolean;
  const { onError, pressure } = options;
  // the batch mark is per run (the checkpoint's identity) and sink
  const mark = options.checkpointId === undefined ? undefined : [options.checkpointId, label];
  const q = dialect.quote;
  const closed = new AbortController();
  let conn: Connection | undefined;
  let target: Target | undefined;
  let marksReady = false;
  let records: unknown[] = [];
  let time = 0;
  /** When the connection was lost, while it is. */
  let outage: { since: number; over: () => void } | undefined;

  /** Run `work` on the connection, making it (again) as long as the connection is what fails. */
  const attempt = async <T>(work: (c: Connection) => Promise<T>): Promise<T> => {
    for (let tries = 0; ; tries++) {
      try {
        conn ??= await dialect.connect();
        const result = await work(conn);
        if (outage) {
          note(`${label}: ${dialect.name} is back after ${((Date.now() - outage.since) / 1000).toFixed(1)}s; the batch was written again whole`);
          outage.over();
          outage = undefined;
        }
        return result;
      } catch (err) {
        if (err instanceof SluiceError || closed.signal.aborted) throw err;
        if (dialect.refused(err)) throw new SinkRefusedError(`${dialect.name}: ${messageOf(err)}`, { cause: err });
        if (!dialect.lost(err)) throw new IoError(`${dialect.name}: ${messageOf(err)}`, { cause: err });
        const gone = conn;
        conn = undefined;
        void gone?.close().catch(() => {});
        if (!outage) {
          note(`${label}: cannot reach ${dialect.name} (${messageOf(err)}); retrying with backoff, sources held`);
          let over = () => {};
          pressure.hold(new Promise<void>((resolve) => (over = resolve)));
          outage = { since: Date.now(), over };
        }
        if (!(await wait(backoffMs(tries), closed.signal))) throw new IoError(`stopped while ${dialect.name} was unreachable`);
      }
    }
  };

  /** Create the table, or check that it can take rows of these fields, at the first batch with records. */
  const prepare = async (c: Connection, batch: Record<string, unknown>[], first: unknown): Promise<Target> => {
    const key = givenKey ?? (params.mode === 'upsert' || (params.mode === undefined && isPair(first)) ? ['key'] : undefined);
    const wanted = (pinned ?? inferColumns(batch)).filter((col) => col.name !== BATCH_TIME);
    for (const k of key ?? []) {
      if (!wanted.some((col) => col.name === k)) throw new SinkRefusedError(`cannot upsert on '${k}': the ${pinned ? 'columns' : 'records'} have no such field`);
    }
    let shape = await c.describe(table);
    if (!shape) {
      const defs = [...wanted].sort((a, b) => Number(key?.includes(b.name)) - Number(key?.includes(a.name)))
        .map(({ name, type }) => `${q(name)} ${dialect.typeName(type ?? 'text', key?.includes(name) ?? false)}${key?.includes(name) ? ' NOT NULL' : ''}`);
      defs.push(`${q(BATCH_TIME)} ${dialect.typeName('integer', false)}`);
      if (key) defs.push(`PRIMARY KEY (${key.map(q).join(', ')})`);
      await createTable(c, table, `CREATE TABLE IF NOT EXISTS ${qualified(table, q)} (${defs.join(', ')})`);
      shape = (await c.describe(table))!;
    } else {
      const problems = shapeProblems(shape, wanted, key);
      if (problems.length) throw new SinkRefusedError(`table ${table} cannot take the rows: ${problems.join('; ')}`);
    }
    const columns = new Map(shape.columns.map((col) => [col.name, col]));
    return { columns, key, batchTime: columns.has(BATCH_TIME) };
  };

  /** The batch's rows in the order of `columns`; a record that does not fit is bad (--on-error). */
  const rowsOf = (t: Target, batch: Record<string, unknown>[], raw: unknown[]): { columns: Column[]; rows: unknown[][] } => {
    const used = new Map<string, Column>();
    const fitting: Map<Column, unknown>[] = [];
    batch.forEach((fields, i) => {
      const values = new Map<Column, unknown>();
      for (const name in fields) {
        if (name === BATCH_TIME) continue;
        const column = t.columns.get(name);
        const e = column ? encode(fields[name], column) : { error: `table ${table} has no column '${name}'` };
        if ('error' in e) return void onError.bad(e.error, label, raw[i]);
        values.set(column!, e.value);
      }
      const empty = t.key?.find((k) => fields[k] === null || fields[k] === undefined);
      if (empty !== undefined) return void onError.bad(`key column '${empty}' is empty`, label, raw[i]);
      for (const column of values.keys()) used.set(column.name, column);
      fitting.push(values);
    });
    const columns = [...used.values()];
    const keyAt = t.key?.map((k) => columns.findIndex((col) => col.name === k));
    const rows: unknown[][] = [];
    const byKey = new Map<string, number>();
    for (const values of fitting) {
      const row = columns.map((col) => values.get(col) ?? null);
      if (t.batchTime) row.push(time);
      if (!keyAt) {
        rows.push(row);
        continue;
      }
      // one row per key and statement: the batch's last record for a key wins
      const id = keyAt.map((at) => String(row[at])).join('\0');
      const at = byKey.get(id);
      if (at === undefined) byKey.set(id, rows.push(row) - 1);
      else rows[at] = row;
    }
    if (t.batchTime) columns.push(t.columns.get(BATCH_TIME)!);
    return { columns, rows };
  };

  /** One batch in one transaction: skipped when its mark says it was written before a crash. */
  const transaction = async (c: Connection, columns: Column[], rows: unknown[][]) => {
    if (mark && !marksReady) {
      await createTable(c, MARKS, `CREATE TABLE IF NOT EXISTS ${MARKS} (pipeline VARCHAR(64) NOT NULL, sink VARCHAR(700) NOT NULL, batch_time BIGINT NOT NULL, PRIMARY KEY (pipeline, sink))`);
      marksReady = true;
    }
    const p = dialect.param;
    await c.query('BEGIN');
    try {
      if (mark) {
        const [done] = await c.query(`SELECT batch_time FROM ${MARKS} WHERE pipeline = ${p(1)} AND sink = ${p(2)}${dialect.forUpdate}`, mark);
        if (done && Number(done.batch_time) >= time) return void (await c.query('ROLLBACK'));
      }
      if (rows.length) {
        const update = columns.filter((col) => !target!.key?.includes(col.name)).map((col) => col.name);
        await c.insert(table, columns, rows, target!.key ? dialect.onConflict(target!.key, update) : '');
      }
      if (mark) {
        await c.query(`INSERT INTO ${MARKS} (pipeline, sink, batch_time) VALUES (${p(1)}, ${p(2)}, ${p(3)})${dialect.onConflict(['pipeline', 'sink'], ['batch_time'])}`, [...mark, time]);
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    }
  };

  return {
    begin(t) {
      time = t;
      records = [];
    },
    push(rec) {
      records.push(rec);
    },
    async end() {
      const raw = records;
      records = [];
      if (!raw.length) {
        // the first batch connects even when empty, so that a refused login is said at the start
        if (!conn) await attempt(async () => {});
        return;
      }
      const batch = raw.map((rec) => fieldsOf(rec, spread));
      target ??= await attempt((c) => prepare(c, batch, raw[0]));
      const { columns, rows } = rowsOf(target, batch, raw);
      await attempt((c) => transaction(c, columns, rows));
    },
    async close() {
      await conn?.close();
      conn = undefined;
    },
    abort() {
      closed.abort();
      records = [];
      void conn?.close().catch(() => {});
      conn = undefined;
    },
  };
}
