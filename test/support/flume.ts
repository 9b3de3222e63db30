// Flume's side of the flume:// tests and benchmark: a real Apache Flume agent (scripts/flume.sh, jars
// from Maven Central) configured to push into sluice through its Avro sink, and a small Avro RPC
// client in Node for what an agent cannot be made to do (another protocol, calls as fast as it goes).
// Where Java or Maven is missing the agent's tests are skipped, except under CI=true: there that fails.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { AvroReader, AvroWriter, framed, PackReader, protocol, readHandshakeResponse, writeHandshakeRequest, type Protocol } from '../../src/io/avro-ipc.ts';
import { FLUME_PROTOCOL, readStatus, writeEvent, type FlumeEvent, type Status } from '../../src/io/sources/flume.ts';
import { ROOT } from './cli.ts';

const SCRIPT = join(ROOT, 'scripts/flume.sh');

/** Fetch the agent's jars (once); false (the tests skip) where they cannot be had, outside CI. */
export function flumeAvailable(): boolean {
  const r = spawnSync('bash', [SCRIPT, 'fetch'], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0 && spawnSync('java', ['-version']).status === 0) return true;
  const why = `the Flume agent's jars could not be fetched: ${r.stderr?.trim() || r.error?.message || 'no java'}`;
  if (process.env.CI) throw new Error(why);
  console.warn(`${why}\nskipping the Flume agent tests`);
  return false;
}

export interface AgentOptions {
  /** Where the Avro sink sends. */
  port: number;
  /** Events of the sequence generator: bodies 0 .. events-1. */
  events: number;
  /** Events per Avro call (the sink's batch-size). */
  batch?: number;
  /** Headers every event gets (a static interceptor per header). */
  headers?: Record<string, string>;
  /** The sink's request-timeout, ms: how long it waits for an answer before it sends again. */
  requestTimeoutMs?: number;
  /** The sink's compression-type. */
  deflate?: boolean;
}

/** A running agent: its log so far, and how to stop it. */
export interface Agent {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * An agent with a sequence generator source, a memory channel and an Avro sink pointed at
 * 127.0.0.1:`port`, its properties file in `dir`. Stopped by its pid (SIGTERM, then SIGKILL).
 */
export function startAgent(dir: string, { port, events, batch = 500, headers = {}, requestTimeoutMs = 20_000, deflate = false }: AgentOptions): Agent {
  const names = Object.keys(headers).map((_, i) => `h${i}`);
  const conf = [
    'a1.sources = s1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.s1.type = seq',
    `a1.sources.s1.totalEvents = ${events}`,
    `a1.sources.s1.batchSize = ${batch}`,
    'a1.sources.s1.channels = c1',
    ...(names.length ? [`a1.sources.s1.interceptors = ${names.join(' ')}`] : []),
    ...Object.entries(headers).flatMap(([key, value], i) => [`a1.sources.s1.interceptors.h${i}.type = static`, `a1.sources.s1.interceptors.h${i}.key = ${key}`, `a1.sources.s1.interceptors.h${i}.value = ${value}`]),
    'a1.channels.c1.type = memory',
    `a1.channels.c1.capacity = ${Math.max(events, 1000)}`,
    `a1.channels.c1.transactionCapacity = ${batch}`,
    'a1.sinks.k1.type = avro',
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k1.hostname = 127.0.0.1',
    `a1.sinks.k1.port = ${port}`,
    `a1.sinks.k1.batch-size = ${batch}`,
    'a1.sinks.k1.connect-timeout = 5000',
    `a1.sinks.k1.request-timeout = ${requestTimeoutMs}`,
    ...(deflate ? ['a1.sinks.k1.compression-type = deflate'] : []),
  ];
  const file = join(dir, 'agent.properties');
  writeFileSync(file, `${conf.join('\n')}\n`);
  const child = spawn('bash', [SCRIPT, 'agent', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * An Avro RPC client of Flume's protocol over Netty framing, as Flume's NettyAvroRpcClient is: the
 * first call carries the handshake, sent again with the protocol's text if the server asks for it.
 */
export class FlumeClient {
  private readonly socket: Socket;
  private readonly protocol: Protocol;
  private readonly packs = new PackReader();
  private readonly waiting = new Map<number, { resolve: (r: AvroReader) => void; reject: (err: Error) => void }>();
  private serial = 0;
  private handshaken = false;
  /** What the server answered the handshake, once it has. */
  match: string | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket, client: Protocol) {
    this.socket = socket;
    this.protocol = client;
    socket.on('error', () => {}); // its 'close' follows
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const { reject } of this.waiting.values()) reject(new Error('connection closed'));
        this.waiting.clear();
        resolve();
      }),
    );
    socket.on('data', (chunk: Buffer) => {
      for (const { serial, payload } of this.packs.push(chunk)) {
        this.waiting.get(serial)?.resolve(new AvroReader(payload));
        this.waiting.delete(serial);
      }
    });
  }

  /** Connect to 127.0.0.1:`port`; `protocolText` is another protocol to say it speaks (Flume's by default). */
  static connect(port: number, protocolText?: string): Promise<FlumeClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => resolve(new FlumeClient(socket, protocolText ? protocol(protocolText) : FLUME_PROTOCOL)));
    });
  }

  /** One appendBatch call; its status once the server answers. */
  async appendBatch(events: FlumeEvent[]): Promise<Status> {
    for (let withText = false; ; withText = true) {
      const w = new AvroWriter();
      if (!this.handshaken) writeHandshakeRequest(w, this.protocol, withText);
      w.long(0).string('appendBatch').array(events, (e) => writeEvent(w, e));
      const r = await this.call(w.buffer());
      if (!this.handshaken) {
        const { match } = readHandshakeResponse(r);
        this.match = match;
        if (match === 'NONE') {
          if (withText) throw new Error('the server did not take the protocol');
          continue;
        }
        this.handshaken = true;
      }
      r.map(() => r.bytes());
      if (r.boolean()) throw new Error(`the server answered an error: ${r.union(1) === 0 ? r.string() : ''}`);
      return readStatus(r);
    }
  }

  /** Raw bytes, as a client of another protocol would send them. */
  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  private call(payload: Buffer): Promise<AvroReader> {
    const serial = this.serial++;
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) return reject(new Error('connection closed'));
      this.waiting.set(serial, { resolve, reject });
      this.socket.write(framed({ serial, payload }));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** `n` events with bodies `${tag}-${from + i}` and a header `n` with the number. */
export function events(tag: string, from: number, n: number): FlumeEvent[] {
  return Array.from({ length: n }, (_, i) => ({ headers: { n: String(from + i) }, body: Buffer.from(`${tag}-${from + i}`) }));
}
