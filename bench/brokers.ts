// Broker benchmarks for `npm run bench:brokers`: messages a second through sluice's broker sources
// into --count, and through its sinks, against the broker's own command-line client where Debian has
// one (mosquitto_sub and mosquitto_pub; redis-benchmark for XADD). NATS and RabbitMQ have none there.
// flume:// is fed by a real Flume agent (scripts/flume.sh) and by a Node Avro client.
// ZeroMQ is fed and read by a peer of the zeromq package (test/support/zmq-peer.ts), X by a local
// server streaming posts as its filtered stream does, Kinesis by kinesalite (a local, in-memory
// implementation: its speed, not AWS's, bounds these figures).
//
//   node bench/brokers.ts [--messages N] [--runs N] [mqtt|redis|nats|amqp|zmq|x|flume|kinesis ...]
//
// Messages are 100 bytes. A consumer is timed from its start until it has counted them all (so its
// start-up and the last batch's wait count against it), a producer over its whole run; medians.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FlumeClient, flumeAvailable, startAgent } from '../test/support/flume.ts';
import { AWS_ENV, createStream, KINESALITE, kinesisAt, putLines } from '../test/support/kinesis.ts';
import { freePort } from '../test/support/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLUICE = path.join(ROOT, 'bin', 'sluice');
const ENV = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`, NO_COLOR: '1', X_BEARER_TOKEN: process.env.X_BEARER_TOKEN ?? 'bench', ...AWS_ENV };
const BATCH = '200ms';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return Number(value);
};
const N = option('--messages', 100_000);
const RUNS = option('--runs', 3);
const only = args;

const MESSAGES = Array.from({ length: N }, (_, i) => `m-${String(i).padStart(8, '0')} `.padEnd(99, 'x')).join('\n') + '\n';
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Run a command to its end with `input` on stdin; its wall time in seconds. */
function timed(cmd: string, argv: string[], input?: string): Timing {
  const t = performance.now();
  const r = spawnSync(cmd, argv, { input, env: ENV, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr || r.error}`);
  return { seconds: (performance.now() - t) / 1000, got: N };
}

/** A run's wall time, and how many of the messages arrived (a broker may drop some on the way). */
type Timing = { seconds: number; got: number };

/**
 * Start a consumer, wait until it reads (`probe` sends a message until it does), then `feed` and
 * time until it has `n` more, or nothing more has come for 3 s; `counted(out, err)` says how many
 * it has. Seconds from the feed on, to the last message.
 */
async function consumeTimed(cmd: string, argv: string[], counted: (out: string, err: string) => number, probe: (() => void) | undefined, feed: () => void, n: number): Promise<Timing> {
  const child = spawn(cmd, argv, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    const deadline = Date.now() + 30_000;
    while (probe && counted(out, err) === 0) {
      if (Date.now() > deadline) throw new Error(`${cmd} never read: ${err}`);
      probe();
      await sleep(100);
    }
    const base = counted(out, err);
    const t = performance.now();
    feed();
    let got = 0;
    let last = t;
    while (got < n && performance.now() - last < 3000) {
      if (child.exitCode !== null) throw new Error(`${cmd} ended early: ${err}`);
      await sleep(5);
      const now = counted(out, err) - base;
      if (now > got) (got = now), (last = performance.now());
    }
    return { seconds: (last - t) / 1000, got };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Records sluice -v has counted in (its `batch T: N in` lines). */
const sluiceIn = (_out: string, err: string) => [...err.matchAll(/: (\d+) in,/g)].reduce((n, m) => n + Number(m[1]), 0);
const lines = (out: string) => out.split('\n').length - 1;
const consumer = (uri: string) => ['-i', uri, '-b', BATCH, '-v', '--count'];

type Row = { name: string; seconds: Timing[] };

async function median(run: () => Promise<Timing> | Timing): Promise<Timing[]> {
  const s: Timing[] = [];
  for (let i = 0; i < RUNS; i++) s.push(await run());
  return s;
}

/** Write the messages into `cmd` in the background: the consumer's output must be read meanwhile. */
function feeder(cmd: string, argv: string[]): void {
  const child = spawn(cmd, argv, { env: ENV, stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.end(MESSAGES);
}

const produce = (uri: string) => timed(SLUICE, ['-b', '1h', '-o', uri], MESSAGES);

const ZMQ_PEER = path.join(ROOT, 'test', 'support', 'zmq-peer.ts');
let zmqPort = 16_000 + Math.floor(Math.random() * 1000);
/** A ZeroMQ peer (see zmq-peer.ts), its messages 100 bytes like the others; stopped with the process. */
const zmqPeer = (...argv: string[]) => spawn(process.execPath, [ZMQ_PEER, ...argv, '--tag', 'x'.repeat(91), '--count', String(N)], { stdio: 'ignore' });

const BENCHES: Record<string, () => Promise<Row[]>> = {
  async mqtt() {
    const rows: Row[] = [];
    // fed by sluice: mosquitto_pub -l loses most of a fast stdin here (see its row below)
    const pub = (topic: string) => () => feeder(SLUICE, ['-b', '1h', '-o', `mqtt://127.0.0.1/${topic}`]);
    const probe = (topic: string) => () => void spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-q', '1', '-t', topic, '-m', 'probe']);
    for (const [name, cmd, argv, count] of [
      ['sluice mqtt:// qos 1 --count', SLUICE, (t: string) => consumer(`mqtt://127.0.0.1/${t}`), sluiceIn],
      ['mosquitto_sub -q 1', 'mosquitto_sub', (t: string) => ['-h', '127.0.0.1', '-q', '1', '-t', t], lines],
    ] as const) {
      rows.push({ name: `consume: ${name} (fed by sluice -o mqtt://)`, seconds: await median(() => { const t = unique('bench'); return consumeTimed(cmd, argv(t), count, probe(t), pub(t), N); }) });
    }
    rows.push({ name: 'produce: sluice -o mqtt:// qos 1', seconds: await median(() => produce(`mqtt://127.0.0.1/${unique('bench')}`)) });
    // what mosquitto_pub delivers, read by sluice (which keeps up with it)
    rows.push({
      name: 'produce: mosquitto_pub -q 1 -l (into sluice mqtt://)',
      seconds: await median(() => { const t = unique('bench'); return consumeTimed(SLUICE, consumer(`mqtt://127.0.0.1/${t}`), sluiceIn, probe(t), () => feeder('mosquitto_pub', ['-h', '127.0.0.1', '-q', '1', '-t', t, '-l']), N); }),
    });
    return rows;
  },
  async redis() {
    const rows: Row[] = [];
    rows.push({
      name: 'consume: sluice redis:// (group) --count, stream filled first',
      seconds: await median(() => {
        const s = unique('bench');
        produce(`redis://127.0.0.1/${s}`);
        return consumeTimed(SLUICE, consumer(`redis://127.0.0.1/${s}?group=g&from=earliest`), sluiceIn, undefined, () => {}, N);
      }),
    });
    rows.push({ name: 'produce: sluice -o redis:// (XADD, pipelined)', seconds: await median(() => produce(`redis://127.0.0.1/${unique('bench')}`)) });
    const payload = 'x'.repeat(99);
    rows.push({ name: 'produce: redis-benchmark XADD (50 clients)', seconds: await median(() => timed('redis-benchmark', ['-q', '-n', String(N), 'XADD', unique('bench'), '*', 'data', payload])) });
    rows.push({ name: 'produce: redis-benchmark XADD (-P 1000, 1 client)', seconds: await median(() => timed('redis-benchmark', ['-q', '-c', '1', '-P', '1000', '-n', String(N), 'XADD', unique('bench'), '*', 'data', payload])) });
    return rows;
  },
  async nats() {
    const rows: Row[] = [];
    const { connect } = await import('nats');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const jsm = await nc.jetstreamManager();
    const stream = async () => {
      const name = unique('BENCH');
      await jsm.streams.add({ name, subjects: [`${name}.>`] });
      return name;
    };
    const core = unique('bench');
    const probe = (subject: string) => () => nc.publish(subject, 'probe');
    rows.push({
      name: 'consume: sluice nats:// --count (fed by sluice -o nats://)',
      seconds: await median(() => consumeTimed(SLUICE, consumer(`nats://127.0.0.1/${core}`), sluiceIn, probe(core), () => feeder(SLUICE, ['-b', '1h', '-o', `nats://127.0.0.1/${core}`]), N)),
    });
    const names: string[] = [];
    rows.push({ name: 'produce: sluice -o nats+js:// (publish acks)', seconds: await median(async () => { const s = await stream(); names.push(s); return produce(`nats+js://127.0.0.1/${s}.x`); }) });
    rows.push({
      name: 'consume: sluice nats+js:// --count, stream filled first',
      seconds: await median(() => consumeTimed(SLUICE, consumer(`nats+js://127.0.0.1/${names.pop()}?from=earliest`), sluiceIn, undefined, () => {}, N)),
    });
    rows.push({ name: 'produce: sluice -o nats:// (core)', seconds: await median(() => produce(`nats://127.0.0.1/${unique('bench')}`)) });
    await nc.close();
    return rows;
  },
  async amqp() {
    const rows: Row[] = [];
    const queues: string[] = [];
    rows.push({ name: 'produce: sluice -o amqp:// (persistent, confirms)', seconds: await median(() => { const q = unique('bench'); queues.push(q); return produce(`amqp://guest:guest@127.0.0.1/${q}`); }) });
    rows.push({
      name: 'consume: sluice amqp:// --count, queue filled first (prefetch 10000)',
      seconds: await median(() => consumeTimed(SLUICE, consumer(`amqp://guest:guest@127.0.0.1/${queues.pop()}`), sluiceIn, undefined, () => {}, N)),
    });
    for (const q of queues) spawnSync('rabbitmqctl', ['delete_queue', q], { stdio: 'ignore' });
    return rows;
  },
  async zmq() {
    const rows: Row[] = [];
    const peers: ReturnType<typeof spawn>[] = [];
    // sluice binds and the peer connects, so that sluice's own reconnection backoff is not timed
    for (const [kind, sender] of [['pull', 'push'], ['sub', 'pub']] as const) {
      rows.push({
        name: `consume: sluice zmq+${kind}:// --count (fed by a zeromq ${sender.toUpperCase()} peer)`,
        seconds: await median(() => {
          const port = zmqPort++;
          return consumeTimed(SLUICE, consumer(`zmq+${kind}://127.0.0.1:${port}?bind=true`), sluiceIn, undefined, () => void peers.push(zmqPeer(sender, `tcp://127.0.0.1:${port}`)), N);
        }),
      });
    }
    rows.push({
      name: 'produce: sluice -o zmq+push:// (into a zeromq PULL peer)',
      seconds: await median(() => {
        const port = zmqPort++;
        peers.push(zmqPeer('pull', `tcp://127.0.0.1:${port}`, '--bind'));
        return produce(`zmq+push://127.0.0.1:${port}`);
      }),
    });
    for (const p of peers) p.kill('SIGKILL');
    return rows;
  },
  async x() {
    // the filtered stream as X serves it: NDJSON posts of about 100 bytes with \r\n, sent as fast as they are read
    const open: ServerResponse[] = [];
    const server = createServer((req, res) => {
      if (!req.url!.startsWith('/2/tweets/search/stream')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      open.push(res);
      let i = 0;
      const more = () => {
        while (i < N) {
          let chunk = '';
          for (const end = Math.min(N, i + 1000); i < end; i++) chunk += `{"data":{"id":"${1e18 + i}","text":"post ${i} ${'x'.repeat(40)}"},"matching_rules":[{"id":"1"}]}\r\n`;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const uri = `x://stream?endpoint=http://127.0.0.1:${port}`;
    try {
      return [{ name: 'consume: sluice x://stream --count (a local server streaming posts)', seconds: await median(() => consumeTimed(SLUICE, consumer(uri), sluiceIn, undefined, () => {}, N)) }];
    } finally {
      for (const res of open) res.destroy();
      server.close();
    }
  },
  async kinesis() {
    // kinesalite in a process of its own: the producer rows run sluice with spawnSync
    const port = await freePort();
    const args = ['--port', String(port), ...Object.entries(KINESALITE).flatMap(([k, v]) => [`--${k}`, String(v)])];
    const server = spawn(path.join(ROOT, 'node_modules', '.bin', 'kinesalite'), args, { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => server.stdout.once('data', resolve));
    const k = kinesisAt(`http://127.0.0.1:${port}`);
    try {
      const rows: Row[] = [];
      const streams: string[] = [];
      const lines = MESSAGES.split('\n').slice(0, -1);
      rows.push({
        name: 'baseline: the AWS SDK putting requests of 500 in turn (4 shards, kinesalite)',
        seconds: await median(async () => {
          const s = unique('bench');
          await createStream(k, s, 4);
          const t = performance.now();
          await putLines(k, s, lines, (_, i) => String(i));
          return { seconds: (performance.now() - t) / 1000, got: N };
        }),
      });
      rows.push({
        name: 'produce: sluice -o kinesis:// (PutRecords of 500, 4 shards, kinesalite)',
        seconds: await median(async () => {
          const s = unique('bench');
          await createStream(k, s, 4);
          streams.push(s);
          return timed(SLUICE, ['-b', '1h', '-o', `kinesis://${s}?endpoint=${k.endpoint}`], MESSAGES);
        }),
      });
      // timed from the start to the last record counted: kinesalite takes seconds over a GetRecords
      // of 10,000, longer than consumeTimed waits for the first record
      const drained = async (uri: string): Promise<Timing> => {
        const t = performance.now();
        const child = spawn(SLUICE, consumer(uri), { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        try {
          while (sluiceIn('', err) < N) {
            if (performance.now() - t > 300_000 || child.exitCode !== null) throw new Error(`sluice got ${sluiceIn('', err)} of ${N}: ${err.slice(-500)}`);
            await new Promise((r) => setTimeout(r, 5));
          }
          return { seconds: (performance.now() - t) / 1000, got: sluiceIn('', err) };
        } finally {
          child.kill('SIGTERM');
        }
      };
      rows.push({
        name: 'consume: sluice kinesis:// --count, stream filled first (4 shards, kinesalite)',
        seconds: await median(() => drained(`kinesis://${streams.pop()}?endpoint=${k.endpoint}&from=trim-horizon`)),
      });
      return rows;
    } finally {
      await k.close();
      server.kill('SIGTERM');
    }
  },
  async flume() {
    if (!flumeAvailable()) throw new Error('no Flume agent (scripts/flume.sh fetch failed)');
    const rows: Row[] = [];
    /** sluice -i flume:// --count fed by `feed(port)`, timed from its first batch with events to its last (a JVM's start is not sluice's). */
    const served = async (feed: (port: number) => Promise<() => Promise<void>>): Promise<Timing> => {
      const port = await freePort();
      const child = spawn(SLUICE, consumer(`flume://127.0.0.1:${port}`), { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      let stop = async () => {};
      try {
        while (!/batch \d+:/.test(err)) await sleep(5);
        stop = await feed(port);
        const deadline = Date.now() + 120_000;
        let first = 0;
        while (sluiceIn('', err) < N) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sluice got ${sluiceIn('', err)} of ${N}: ${err.slice(-500)}`);
          if (!first && sluiceIn('', err) > 0) first = performance.now();
          await sleep(5);
        }
        // the first batch's events came over its interval: it counts
        return { seconds: (performance.now() - first) / 1000 + 0.2, got: sluiceIn('', err) };
      } finally {
        await stop();
        child.kill('SIGTERM');
      }
    };
    for (const batch of [1000, 10_000]) {
      rows.push({
        name: `consume: sluice flume:// --count, a Flume agent (seq source, 1 Avro sink of batch-size ${batch})`,
        seconds: await median(() =>
          served(async (port) => {
            const agent = startAgent(mkdtempSync(path.join(tmpdir(), 'sluice-bench-')), { port, events: N, batch });
            return agent.stop;
          }),
        ),
      });
    }
    const body = MESSAGES.slice(0, 99);
    for (const connections of [1, 4]) {
      const per = 10_000;
      rows.push({
        name: `consume: sluice flume:// --count, Node Avro client (${connections} connection${connections > 1 ? 's' : ''}, calls of ${per})`,
        seconds: await median(() =>
          served(async (port) => {
            const events = Array.from({ length: per }, () => ({ headers: {}, body: Buffer.from(body) }));
            const clients = await Promise.all(Array.from({ length: connections }, () => FlumeClient.connect(port)));
            let left = Math.ceil(N / per);
            const sending = clients.map(async (c) => {
              while (left-- > 0) if ((await c.appendBatch(events)) !== 'OK') throw new Error('a call was not answered OK');
            });
            return async () => {
              await Promise.all(sending);
              for (const c of clients) c.close();
            };
          }),
        ),
      });
    }
    return rows;
  },
};

console.log(`${N} messages of 100 bytes, ${RUNS} runs each, batches of ${BATCH} for the consumers`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (only.length && !only.includes(name)) continue;
  try {
    for (const { name: row, seconds: runs } of await bench()) {
      const mid = [...runs].sort((a, b) => a.got / a.seconds - b.got / b.seconds)[Math.floor(runs.length / 2)]!;
      const lost = runs.some((r) => r.got < N) ? `; arrived: ${runs.map((r) => r.got).join(', ')} of ${N}` : '';
      console.log(`${name.padEnd(6)} ${row.padEnd(72)} ${String(Math.round(mid.got / mid.seconds)).padStart(8)} msg/s  (median; ${runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}${lost})`);
    }
  } catch (err) {
    console.log(`${name.padEnd(6)} not measured: ${(err as Error).message}`);
  }
}
