// The --ui server: the page (built into dist/ui by `npm run build`, nothing fetched from elsewhere),
// its live feed over Server-Sent Events, /metrics, /ready and /healthz. It only reads: nothing it
// serves changes the pipeline. Loaded only by runs with --ui or --live (src/cli/run.ts imports it).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { distFile } from '../core/embedded.ts';
import { IoError, messageOf, UsageError } from '../core/errors.ts';
import type { OnError } from '../core/on-error.ts';
import type { Board, Panel, Row } from '../io/sinks/sink.ts';
import { listenAddress } from '../io/uri.ts';
import type { Plan } from '../pipeline/plan.ts';
import type { BatchStats } from '../runtime/engine.ts';
import { dagOf } from './dag.ts';
import { History } from './history.ts';
import { Metrics, type Live } from './metrics.ts';

const PAGE: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** The page runs only its own script and talks only to this server. */
const HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The names a browser on this machine reaches the loopback interface by. */
const LOCAL_NAMES = new Set(['127.0.0.1', 'localhost', '::1']);

/** The host name of a Host header, without its port or an IPv6 address's brackets. */
function hostOf(header: string | undefined): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/.exec(header ?? '');
  const name = (m?.[1] ?? m?.[2] ?? '').toLowerCase();
  return name.startsWith('127.') ? '127.0.0.1' : name;
}

/** Unsent bytes after which a page that stopped reading its feed is dropped. */
const MAX_BEHIND = 4 << 20;

export interface Ui {
  /** Where it listens, as a URL. */
  url: string;
  board: Board;
  /** A batch completed (the engine's onBatch). */
  batch(stats: BatchStats): void;
  /** The run has begun: what the metrics read while it runs. */
  attach(engine: Pick<Live, 'backlog'>): void;
  /** A stop was asked for: /ready says 503 from now on. */
  stopping(): void;
  close(): Promise<void>;
}

export interface UiOptions {
  onError: OnError;
}

/** Listen on `address` ([HOST:]PORT, checked by the options table); a port in use is an error now, before any input is read. */
export async function startUi(address: string, plan: Plan, options: UiOptions): Promise<Ui> {
  const { host, port } = listenAddress(address);
  const loopback = LOCAL_NAMES.has(host) || host.startsWith('127.');
  const { spec } = plan;
  const history = new History();
  const files = Object.fromEntries(Object.entries(PAGE).map(([path, { file }]) => [path, distFile(`ui/${file}`)]));
  let backlog: Live['backlog'] = () => ({ queuedChars: 0, pausedSources: 0 });
  let checkpointAt: number | undefined;
  let ready = false;
  let stopping = false;
  const metrics = new Metrics(
    { backlog: () => backlog(), checkpointAt: () => checkpointAt, onError: options.onError },
    spec.sinks.map((s) => s.out),
    spec.checkpoint !== undefined,
  );
  const clients = new Set<ServerResponse>();
  const send = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) {
      if (res.writableLength > MAX_BEHIND) res.destroy();
      else res.write(text);
    }
  };
  const counters = () => ({
    bad: options.onError.skipped,
    late: options.onError.late,
    deadLetters: options.onError.mode === 'dlq' ? options.onError.skipped + options.onError.late : 0,
    checkpointAt,
    ...backlog(),
  });
  const snapshot = () => ({
    now: Date.now(),
    batchMs: spec.batchMs,
    checkpoint: spec.checkpoint !== undefined,
    dag: dagOf(plan),
    sinks: spec.sinks.map((s) => s.out),
    batches: history.batches.toArray(),
    recordsIn: history.recordsIn,
    edgeTotals: history.edgeTotals,
    counters: counters(),
    panels: Object.fromEntries([...history.panels].map(([name, ring]) => [name, ring.toArray()])),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('read-only: GET or HEAD\n');
    }
    if (loopback && !LOCAL_NAMES.has(hostOf(req.headers.host))) {
      // a page elsewhere whose name was pointed at 127.0.0.1 (DNS rebinding) reads nothing here
      return void res.writeHead(421, { ...HEADERS, 'Content-Type': 'text/plain' }).end('use the address sluice printed\n');
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = PAGE[path];
    if (page) return void res.writeHead(200, { ...HEADERS, 'Content-Type': page.type }).end(files[path]);
    if (path === '/events') {
      res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/metrics') {
      const text = await metrics.registry.metrics();
      return void res.writeHead(200, { ...HEADERS, 'Content-Type': metrics.registry.contentType }).end(text);
    }
    if (path === '/ready') {
      const ok = ready && !stopping;
      return void res.writeHead(ok ? 200 : 503, { ...HEADERS, 'Content-Type': 'text/plain' }).end(ok ? 'ready\n' : stopping ? 'shutting down\n' : 'starting\n');
    }
    if (path === '/healthz') return void res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/plain' }).end('ok\n');
    res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain' }).end('not found\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${messageOf(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is in use on ${host}: choose another with --ui PORT` : messageOf(err);
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' ? new UsageError(`--ui ${address}: ${why}`) : new IoError(`--ui ${address}: ${why}`, { cause: err }));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as { address: string; port: number };
  const panels = new Set<string>();
  const board: Board = {
    open(panel: Panel) {
      const id = `${panel.kind}:${panel.name}`;
      if (panels.has(id)) throw new UsageError(`-o ${id} is given twice: give each ${panel.kind} sink its own name`);
      panels.add(id);
      if (panel.kind === 'prometheus') {
        const set = metrics.gauges(panel.name);
        return (_time: number, rows: Row[]) => set(rows);
      }
      return (time: number, rows: Row[]) => send('panel', { name: panel.name, batch: history.panel(panel.name, time, rows) });
    },
  };
  return {
    url: `http://${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}/`,
    board,
    batch(stats) {
      const now = Date.now();
      // the engine writes the checkpoint before it reports the batch
      if (spec.checkpoint) checkpointAt = now;
      metrics.batch(stats);
      send('batch', { now, batch: history.batch(stats, now), counters: counters() });
      ready = true;
    },
    attach(engine) {
      backlog = () => engine.backlog();
    },
    stopping() {
      stopping = true;
    },
    async close() {
      stopping = true;
      for (const res of clients) res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
