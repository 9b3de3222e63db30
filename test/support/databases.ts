// The database servers the database sink tests write to, read back here with their own clients (not
// sluice's code): a server that is down is started with the machine's own command; one that cannot
// be had skips the tests, or under CI=true fails them. A TCP proxy in front of a server makes outages.

import { execSync } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createConnection } from 'mysql2/promise';
import { eventually } from './eventually.ts';

export type Kind = 'sqlite' | 'postgres' | 'mysql';

const SERVERS = {
  postgres: { port: 5432, start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
  mysql: { port: 3306, start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' },
} as const;

/** Rows of `sql` from a database: `path` for SQLite, HOST:PORT (the real server's by default) for the others. */
export async function query(kind: Kind, sql: string, where?: string): Promise<Record<string, unknown>[]> {
  if (kind === 'sqlite') {
    const db = new DatabaseSync(where!, { readOnly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const [host, port] = (where ?? `127.0.0.1:${SERVERS[kind].port}`).split(':');
  if (kind === 'postgres') {
    const client = new pg.Client({ host, port: Number(port), user: 'root', database: 'test', connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const conn = await createConnection({ host, port: Number(port), user: 'root', database: 'test', connectTimeout: 3000, bigNumberStrings: true, supportBigNumbers: true });
  try {
    await conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"); // "key" quotes a name, as in the others
    const [rows] = await conn.query(sql);
    return rows as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

/** Whether the server of `kind` answers, starting it first if it is down; under CI=true, throws when it cannot be had. */
export async function serverReady(kind: Kind): Promise<boolean> {
  if (kind === 'sqlite') return true;
  const up = () => query(kind, 'SELECT 1').then(() => true, () => false);
  if (await up()) return true;
  try {
    execSync(SERVERS[kind].start, { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // already running (a first answer too slow on a loaded machine), or not startable here: the answers say which
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await up()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200)); // refused at once while it starts: ask again soon
  }
  if (process.env.CI === 'true') throw new Error(`the ${kind} server on 127.0.0.1:${SERVERS[kind].port} is down and could not be started`);
  return false;
}

/** The URI a test gives sluice for `table` of the real server of `kind` (or through `port`); `where` is an SQLite file. */
export function uriOf(kind: Kind, table: string, where: string, port?: number): string {
  if (kind === 'sqlite') return `sqlite:${where}?table=${table}`;
  return `${kind}://root@127.0.0.1:${port ?? SERVERS[kind].port}/test?table=${table}`;
}

/** A table name no other run uses. */
export function uniqueTable(tag: string): string {
  return `t_${tag}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** A TCP proxy to the real server of `kind`: cut() drops every connection and refuses new ones until restore(). */
export async function outageProxy(kind: Exclude<Kind, 'sqlite'>) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(SERVERS[kind].port, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    async close() {
      this.cut();
      await new Promise((resolve) => server.close(resolve));
      await eventually(() => sockets.size === 0, 'proxied sockets to close');
    },
  };
}
