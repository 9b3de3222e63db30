// README's cookbook, run: every fenced block tagged `cookbook:NAME` is taken from README.md as it
// stands and run here, by a shell with the real bin/sluice on PATH, on the sample data of
// pipelines/data/ or against a local TCP or HTTP server, so that README and sluice cannot drift apart.
// A block with no test here, or a test with no block, fails. Only ports are changed (9999, 4040: the
// test's free ones); the Kafka example is checked with `sluice explain` and `sluice lint`, not a broker.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

interface Example {
  name: string;
  /** The block's language: sh, yaml or crontab. */
  lang: string;
  text: string;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLES: Example[] = [...README.matchAll(/^```(\w+) cookbook:(\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, name: m[2]!, text: m[3]! }));
const example = (name: string) => EXAMPLES.find((e) => e.name === name) ?? expect.unreachable(`README has no block cookbook:${name}`);

/** The one command of a block: comments left out, continued lines joined; for a crontab line, what follows its five time fields. */
function commandOf(name: string): string {
  const { lang, text } = example(name);
  const lines = text.replace(/\\\n\s*/g, '').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  expect(lines, `cookbook:${name} holds one command`).toHaveLength(1);
  return lang === 'crontab' ? lines[0]!.split(/\s+/).slice(5).join(' ') : lines[0]!;
}

const DATA = join(ROOT, 'pipelines/data');

/** What a test started, ended when it finishes (its own, as tests run concurrently: TestContext.onTestFinished). */
type Finally = (cleanup: () => void) => void;

/** Run `command` with sh in `cwd`, bin/ first on PATH, as a user would type it; killed when the test ends. */
function shell(command: string, cwd: string, atEnd: Finally, env: Record<string, string> = {}) {
  const child = spawn('sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', PATH: `${join(ROOT, 'bin')}:${process.env.PATH}`, ...env } });
  // the shell and what it started (tail -F, sluice) are one process group
  atEnd(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, stdout: () => stdout, stderr: () => stderr };
}

/** A directory holding copies of the sample files `names`. */
function workDir(...names: string[]): string {
  const dir = tempDir();
  for (const name of names) copyFileSync(join(DATA, name), join(dir, name));
  return dir;
}

/** A TCP server on all addresses (localhost may be either family) that hands each connection to `onConnection`. */
async function tcpServer(atEnd: Finally, onConnection: (socket: Socket) => void): Promise<number> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket.on('error', () => {})); // reset when sluice is killed
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  atEnd(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return port;
}

const withPort = (command: string, port: number) => command.replace('localhost:9999', `localhost:${port}`);

/** The blocks the tests below run, to be compared with README's. */
const TESTED = [
  'network-word-count',
  'stateful-network-word-count',
  'windowed-word-count',
  'windowed-word-count-inverse',
  'kafka-word-count',
  'joins.yaml',
  'windowed-join.yaml',
  'join-with-table',
  'top-urls-per-minute',
  'error-rate-alert',
  'cron-directory-ingest',
  'live-dashboard',
];

it('every cookbook block of README has a test here, and every test a block', () => {
  expect(EXAMPLES.map((e) => e.name).sort()).toEqual([...TESTED].sort());
});

describe.concurrent("Spark Streaming's word counts over a TCP server", () => {
  it('network-word-count: the words of each batch, printed as Spark prints them', async ({ onTestFinished }) => {
    const port = await tcpServer(onTestFinished, (socket) => socket.write('hello world hello\n'));
    const run = shell(withPort(commandOf('network-word-count'), port), tempDir(), onTestFinished);
    await eventually(() => run.stdout().includes('(hello,2)\n(world,1)\n'), 'the counts of the batch');
    expect(run.stdout()).toMatch(/^-{43}\nTime: \d+ ms\n-{43}\n/m);
  });

  it('stateful-network-word-count: running totals across batches', async ({ onTestFinished }) => {
    let client: Socket | undefined;
    const port = await tcpServer(onTestFinished, (socket) => {
      client = socket;
      socket.write('a b\n');
    });
    const run = shell(withPort(commandOf('stateful-network-word-count'), port), tempDir(), onTestFinished);
    await eventually(() => run.stdout().includes('(a,1)\n(b,1)\n'), 'the first totals');
    client!.write('a\n');
    await eventually(() => run.stdout().includes('(a,2)\n(b,1)\n'), 'a total carried into a later batch');
  });

  for (const name of ['windowed-word-count', 'windowed-word-count-inverse']) {
    it(`${name}: the counts of the last 30 s, every 10 s`, async ({ onTestFinished }) => {
      const port = await tcpServer(onTestFinished, (socket) => socket.write('to be or not to be\n'));
      const run = shell(withPort(commandOf(name), port), tempDir(), onTestFinished);
      // the first window is emitted at the first batch time that is a multiple of 10 s
      await eventually(() => run.stdout().includes('(to,2)') && run.stdout().includes('(be,2)') && run.stdout().includes('(not,1)'), 'the counts of a window', 25_000);
      const time = Number(/Time: (\d+) ms/.exec(run.stdout())![1]);
      expect(time % 10_000).toBe(0);
    }, 40_000);
  }
});

describe('kafka-word-count', () => {
  it('is a valid pipeline (sluice explain, then sluice lint of what it gives)', async ({ onTestFinished }) => {
    const dir = tempDir();
    const command = commandOf('kafka-word-count');
    expect(command).toMatch(/^sluice /);
    const explained = await shell(command.replace(/^sluice /, 'sluice explain '), dir, onTestFinished).done;
    expect(explained.stderr).toBe('');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('kafka://localhost:9092/lines?group=wordcount');
    expect(explained.stdout).toMatch(/reduce-by-key-and-window: a \+ b\n\s+over: 10m\/2s\n\s+inverse: a - b/);
    writeFileSync(join(dir, 'kafka-word-count.yaml'), explained.stdout);
    const linted = await shell('sluice lint kafka-word-count.yaml', dir, onTestFinished).done;
    expect(linted).toMatchObject({ code: 0, stderr: '' });
  });
});

/** Each click with its user's row, computed here from the sample files. */
function joinedClicks(): { user: string; page: string; plan: string; click: unknown; row: unknown }[] {
  const rows = (name: string) => readFileSync(join(DATA, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const users = rows('users.ndjson');
  return rows('clicks.ndjson').flatMap((click) => users.filter((u) => u.id === click.user).map((u) => ({ user: click.user, page: click.page, plan: u.plan, click, row: u })));
}

const sortedLines = (text: string) => text.trim().split('\n').sort();

describe("Spark Streaming's joins", () => {
  const enriched = joinedClicks().map(({ user, page, plan }) => JSON.stringify({ user, page, plan }));

  for (const file of ['joins.yaml', 'windowed-join.yaml']) {
    it(`${file}: each click with the user who made it`, async ({ onTestFinished }) => {
      const dir = workDir('clicks.ndjson', 'users.ndjson');
      writeFileSync(join(dir, file), example(file).text);
      expect(README).toContain(`\`sluice run ${file}\``);
      const r = await shell(`sluice run ${file}`, dir, onTestFinished).done;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const expected = file === 'joins.yaml' ? enriched : joinedClicks().map(({ user, click, row }) => JSON.stringify([user, [click, row]]));
      expect(sortedLines(r.stdout)).toEqual(expected.sort());
    });
  }

  it('join-with-table: each click with its row of a table file', async ({ onTestFinished }) => {
    const r = await shell(commandOf('join-with-table'), workDir('clicks.ndjson', 'users.ndjson'), onTestFinished).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sortedLines(r.stdout)).toEqual(enriched.sort());
  });
});

/** Lines of Combined Log Format at `time` (epoch ms), one per status. */
function logLines(time: number, statuses: number[]): string {
  const d = new Date(time);
  const month = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  const stamp = `${String(d.getUTCDate()).padStart(2, '0')}/${month}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
  return statuses.map((s, i) => `10.0.0.${i + 1} - - [${stamp}] "GET /p${i} HTTP/1.1" ${s} 100 "-" "curl/8"\n`).join('');
}

describe('everyday shell tasks', () => {
  it('top-urls-per-minute: the top 3 paths of each minute of the log, by its timestamps', async ({ onTestFinished }) => {
    const dir = workDir('access.log');
    const r = await shell(commandOf('top-urls-per-minute'), dir, onTestFinished).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the counts per minute, from the log itself
    const perMinute = new Map<number, Map<string, number>>();
    for (const line of readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n')) {
      const [, stamp, path] = /\[([^\]]+)\] "\S+ (\S+)/.exec(line)!;
      const time = Date.parse(stamp!.replace(/^(\d+)\/(\w+)\/(\d+):(\S+) \+0000$/, '$2 $1 $3 $4 UTC'));
      const end = Math.floor(time / 60_000) * 60_000 + 60_000;
      const counts = perMinute.get(end) ?? new Map<string, number>();
      counts.set(path!, (counts.get(path!) ?? 0) + 1);
      perMinute.set(end, counts);
    }
    const got = new Map<number, [string, number][]>();
    for (const line of r.stdout.trim().split('\n')) {
      const [time, path, count] = line.split('\t');
      got.set(Number(time), [...(got.get(Number(time)) ?? []), [path!, Number(count)]]);
    }
    expect([...got.keys()].sort()).toEqual([...perMinute.keys()].sort());
    for (const [end, top] of got) {
      const counts = perMinute.get(end)!;
      const best = [...counts.values()].sort((a, b) => b - a).slice(0, 3);
      expect(top.map(([, n]) => n)).toEqual(best); // largest first; among ties, any
      for (const [path, n] of top) expect(counts.get(path)).toBe(n);
    }
  });

  it('error-rate-alert: one POST to the webhook when more than 5% failed', async ({ onTestFinished }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'access.log'), logLines(Date.now(), [200, 500, 200, 503, 200, 200, 502, 200, 200, 200]));
    const posts: { type?: string; body: string }[] = [];
    const port = await freePort();
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d)).on('end', () => {
        posts.push({ type: req.headers['content-type'], body });
        res.end();
      });
    }).listen(port, '127.0.0.1');
    onTestFinished(() => void server.close());
    shell(commandOf('error-rate-alert'), dir, onTestFinished, { ALERT_WEBHOOK: `http://127.0.0.1:${port}/hooks/alerts` });
    // the window slides every 10 s: the first alert comes at the next multiple of 10 s
    await eventually(() => posts.length > 0, 'an alert', 25_000);
    expect(posts[0]!.body).toBe(`${JSON.stringify({ text: '3 of 10 requests failed in the last minute' })}\n`);
  }, 40_000);

  it('cron-directory-ingest: each CSV file of the directory into the table once, run after run', async ({ onTestFinished }) => {
    const home = tempDir();
    mkdirSync(join(home, 'incoming'));
    const command = commandOf('cron-directory-ingest');
    const cron = async () => {
      const r = await shell(command, home, onTestFinished, { HOME: home }).done;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const db = new DatabaseSync(join(home, 'events.db'));
      try {
        return db.prepare('SELECT id, user FROM events ORDER BY id').all().map((row) => `${row.id} ${row.user}`);
      } finally {
        db.close();
      }
    };
    writeFileSync(join(home, 'incoming/a.csv'), 'id,user\n1,ada\n2,grace\n');
    expect(await cron()).toEqual(['1 ada', '2 grace']);
    writeFileSync(join(home, 'incoming/b.csv'), 'id,user\n3,alan\n');
    expect(await cron()).toEqual(['1 ada', '2 grace', '3 alan']);
    expect(await cron()).toEqual(['1 ada', '2 grace', '3 alan']); // nothing new: nothing added
  });

  it('live-dashboard: the counts as gauges on /metrics and a panel of the --ui page', async ({ onTestFinished }) => {
    const dir = workDir('access.log');
    const port = await freePort();
    const command = commandOf('live-dashboard');
    expect(command).toContain('--ui 4040');
    const run = shell(command.replace('--ui 4040', `--ui ${port}`), dir, onTestFinished);
    // a key missing from a batch is dropped: lines keep coming while the gauges are looked for
    let metrics = '';
    await eventually(() => {
      writeFileSync(join(dir, 'access.log'), logLines(Date.now(), [200]), { flag: 'a' });
      void fetch(`http://127.0.0.1:${port}/metrics`).then(async (res) => (metrics = await res.text()), () => {});
      return /^sluice_status\{key="200"\} [1-9]\d*$/m.test(metrics);
    }, 'the gauge of status 200', 20_000);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(run.stderr()).not.toMatch(/error/);
  });
});

it('the examples run from the files they name, all of them in pipelines/data/ or written by the test', () => {
  // a reader can run every example from a copy of pipelines/data/
  const named = new Set(EXAMPLES.flatMap((e) => [...e.text.matchAll(/\b([a-z]+\.(?:ndjson|log))\b/g)].map((m) => m[1]!)));
  for (const file of named) expect(spawnSync('test', ['-f', join(DATA, file)]).status, file).toBe(0);
});
