// `flume://HOST:PORT`: the server end of a Flume agent's Avro sink (Flume's AvroSourceProtocol over
// Netty-framed Avro IPC). Each event's body is one record; a call (append, appendBatch) is answered
// OK only once every sink has handled the batch holding its last event, so until then Flume's channel
// keeps the events, and a crash or a lost connection means Flume sends them again: at least once.

import { createServer, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { constants, createDeflate, createInflate } from 'node:zlib';
import { note } from '../../core/report.ts';
import { AvroIpcError, AvroReader, AvroWriter, framed, PackReader, protocol, readHandshakeRequest, writeHandshakeResponse, type Protocol } from '../avro-ipc.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import { capConnections, Listener, MAX_CONNECTIONS } from './listener.ts';
import type { Intake, SourceDef } from './source.ts';

/** Flume's protocol (flume-ng-sdk's flume.avdl), as sluice tells a client that asks for it. */
export const FLUME_PROTOCOL: Protocol = protocol(
  JSON.stringify({
    protocol: 'AvroSourceProtocol',
    namespace: 'org.apache.flume.source.avro',
    types: [
      { type: 'enum', name: 'Status', symbols: ['OK', 'FAILED', 'UNKNOWN'] },
      { type: 'record', name: 'AvroFlumeEvent', fields: [{ name: 'headers', type: { type: 'map', values: 'string' } }, { name: 'body', type: 'bytes' }] },
    ],
    messages: {
      append: { request: [{ name: 'event', type: 'AvroFlumeEvent' }], response: 'Status' },
      appendBatch: { request: [{ name: 'events', type: { type: 'array', items: 'AvroFlumeEvent' } }], response: 'Status' },
    },
  }),
);

/**
 * The MD5 by which Flume's SDK names the same protocol (its JSON as Avro's Java library writes it,
 * the .avdl's licence comment as its doc): a client that sends it is known without its text.
 */
const FLUME_SDK_HASH = '86aadae2c45474c0fe93ffd0f2350a65';

/** The hashes a client may give for the server's protocol and be told it guessed right (BOTH). */
let hashes: ReadonlySet<string> | undefined;
const serverHashes = () => (hashes ??= new Set([FLUME_PROTOCOL.hash.toString('hex'), FLUME_SDK_HASH]));

export type Status = 'OK' | 'FAILED' | 'UNKNOWN';
const STATUSES: readonly Status[] = ['OK', 'FAILED', 'UNKNOWN'];

export interface FlumeEvent {
  headers: Record<string, string>;
  body: Buffer;
}

export function readEvent(r: AvroReader): FlumeEvent {
  return { headers: r.map(() => r.string()), body: r.bytes() };
}

export function writeEvent(w: AvroWriter, e: FlumeEvent): void {
  w.map(e.headers, (v) => w.string(v)).bytes(e.body);
}

export function readStatus(r: AvroReader): Status {
  return STATUSES[r.union(STATUSES.length)]!;
}

/** A protocol's JSON without what does not change its wire form (docs, namespaces, Java's string hints). */
function wireForm(text: string): string {
  return JSON.stringify(JSON.parse(text), (key, value) => (key === 'doc' || key === 'namespace' || key === 'avro.java.string' ? undefined : value));
}
const FLUME_WIRE = wireForm(FLUME_PROTOCOL.text);

export const flume: SourceDef<HostPort> = {
  scheme: 'flume',
  usage: 'flume://HOST:PORT',
  summary: "an Avro RPC server for Flume agents' Avro sinks, each call answered once the sinks succeed",
  params: [
    { name: 'meta', value: { kind: 'flag' }, default: 'false', summary: 'records {headers, body}, the body decoded by --parse' },
    { name: 'compression', value: { kind: 'choice', choices: ['none', 'deflate'] }, default: 'none', summary: "the Avro sinks' compression-type" },
    MAX_CONNECTIONS,
  ],
  target: hostPort('listen'),
  create(address, params, uri) {
    return new FlumeSource(uri, address, { meta: params.meta as boolean, deflate: params.compression === 'deflate' }, params['max-connections'] as number);
  },
};

/** A client's connection: its calls come without a handshake once one has matched (Netty's transport is stateful). */
interface Connection {
  socket: Socket;
  peer: string;
  known: boolean;
  /** Send bytes (compressed, with ?compression=deflate). */
  write: (bytes: Buffer) => void;
  /** End it once what was written is sent. */
  end: () => void;
}

/** A call being delivered: its events from `next` on are still to go into the intake. */
interface Call {
  conn: Connection;
  serial: number;
  /** The reply's handshake part: empty once the connection's handshake is done. */
  head: Buffer;
  events: FlumeEvent[];
  next: number;
}

class FlumeSource extends BrokerSource<Call> {
  private readonly meta: boolean;
  private readonly deflate: boolean;
  private readonly server = createServer();
  private readonly clients: Listener<Socket>;
  /** Client protocols known to be Flume's, by MD5 (hex): the server's own and those whose text was seen. */
  private readonly known = new Set(serverHashes());
  private readonly connections = new Set<Connection>();
  /** Calls in the order they came, the first one being delivered. */
  private calls: Call[] = [];
  private intake: Intake | undefined;
  private ending = false;

  constructor(label: string, address: HostPort, { meta, deflate }: { meta: boolean; deflate: boolean }, maxConnections: number) {
    super(label);
    this.meta = meta;
    this.deflate = deflate;
    capConnections(this.server, maxConnections, label);
    this.clients = new Listener(label, this.server, address);
  }

  async run(intake: Intake): Promise<void> {
    this.intake = intake;
    this.server.on('connection', (socket) => this.accept(socket));
    const aborted = new Promise<void>((resolve) => this.stopped.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([this.clients.listen(), aborted]);
  }

  private accept(socket: Socket): void {
    const conn: Connection = { socket, peer: `${socket.remoteAddress}:${socket.remotePort}`, known: false, write: (b) => socket.write(b), end: () => socket.end() };
    this.clients.take(socket);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
    socket.setNoDelay(true);
    socket.on('error', () => {}); // a client that resets ends only its own connection
    const refuse = (reason: string) => {
      note(`${this.label}: ${conn.peer} does not speak Flume's Avro RPC (as the Avro sink does): ${reason}; connection closed`);
      socket.destroy();
    };
    let input: Readable = socket;
    if (this.deflate) {
      // as Flume's JZlib codecs: a zlib stream each way, each write flushed whole
      const inflate = createInflate();
      const deflate = createDeflate();
      socket.pipe(inflate);
      deflate.pipe(socket);
      inflate.on('error', (err) => refuse(`what it sends is not deflate (${err.message}): is its compression-type deflate?`));
      conn.write = (b) => void (deflate.write(b), deflate.flush(constants.Z_SYNC_FLUSH));
      conn.end = () => deflate.end();
      input = inflate;
    }
    const packs = new PackReader();
    let first = true;
    input.on('data', (chunk: Buffer) => {
      if (socket.destroyed) return; // refused: what was still on its way is not read
      // zlib's header (0x78) where a call's serial begins: compressed, which ?compression= must say
      const compressed = first && !this.deflate && chunk[0] === 0x78;
      first = false;
      try {
        for (const pack of packs.push(chunk)) this.call(conn, pack.serial, new AvroReader(pack.payload));
      } catch (err) {
        if (!(err instanceof AvroIpcError)) throw err;
        refuse(compressed ? `${err.message} (it looks compressed: give ?compression=deflate for a sink with compression-type deflate)` : err.message);
      }
    });
  }

  /** One call: its handshake (while the connection has none), its metadata, its message. */
  private call(conn: Connection, serial: number, r: AvroReader): void {
    const head = new AvroWriter();
    if (!conn.known) {
      const hs = readHandshakeRequest(r);
      if (!this.knows(hs.clientHash, hs.clientProtocol)) {
        // unknown: the client sends its protocol's text with the call again
        writeHandshakeResponse(head, 'NONE', FLUME_PROTOCOL);
        return conn.write(framed({ serial, payload: head.buffer() }));
      }
      writeHandshakeResponse(head, serverHashes().has(hs.serverHash.toString('hex')) ? 'BOTH' : 'CLIENT', FLUME_PROTOCOL);
      conn.known = true;
    }
    r.map(() => r.bytes());
    const message = r.string();
    const call: Call = { conn, serial, head: head.buffer(), events: [], next: 0 };
    if (message === '') return this.reply(call); // a handshake alone (Avro's ping)
    if (message === 'appendBatch') call.events = r.array(() => readEvent(r));
    else if (message === 'append') call.events = [readEvent(r)];
    else throw new AvroIpcError(`it calls '${message}', which Flume's AvroSourceProtocol does not have`);
    if (!r.done) throw new AvroIpcError(`bytes after the ${message} call`);
    if (this.ending) return this.reply(call, 'FAILED');
    if (!call.events.length) return this.reply(call, 'OK');
    this.calls.push(call);
    if (this.calls.length === 1) this.deliver();
  }

  /** Whether the client's protocol is Flume's: by its hash, or by its text (then its hash is known). */
  private knows(hash: Buffer, text: string | null): boolean {
    if (this.known.has(hash.toString('hex'))) return true;
    if (text === null) return false;
    let wire: string;
    try {
      wire = wireForm(text);
    } catch {
      throw new AvroIpcError('its protocol is not JSON');
    }
    if (wire !== FLUME_WIRE) throw new AvroIpcError(`its protocol ${JSON.stringify((JSON.parse(text) as { protocol?: unknown }).protocol)} is not Flume's AvroSourceProtocol`);
    this.known.add(hash.toString('hex'));
    return true;
  }

  /** Hand the calls' events to the intake, in order, until paused; a call is answered once its batch is through. */
  private deliver(): void {
    const intake = this.intake!;
    while (this.calls.length && !this.paused) {
      const call = this.calls[0]!;
      // Flume sends the whole call again on a new connection: what is left of it is not delivered
      while (!call.conn.socket.destroyed && call.next < call.events.length && !this.paused) {
        const i = call.next++;
        const { headers, body } = call.events[i]!;
        const where = () => `${this.label} (from ${call.conn.peer}, call ${call.serial}, event ${i + 1})`;
        const text = intake.decode(body);
        if (this.meta) intake.message(text, where, (value) => ({ headers, body: value }));
        else intake.message(text, where);
        if (call.next < call.events.length) this.unacked.skip();
        else this.unacked.add(call);
      }
      if (call.next < call.events.length && !call.conn.socket.destroyed) return;
      this.calls.shift();
    }
  }

  private reply(call: Call, status?: Status): void {
    if (call.conn.socket.destroyed) return;
    const w = new AvroWriter().fixed(call.head);
    if (status) w.long(0).boolean(false).long(STATUSES.indexOf(status));
    call.conn.write(framed({ serial: call.serial, payload: w.buffer() }));
  }

  /** Every sink has the batch: the calls whose last event it holds are answered OK. */
  committed(position: unknown): void {
    for (const call of this.unacked.take(position)) this.reply(call, 'OK');
  }

  pause(): void {
    super.pause();
    this.clients.pause();
  }

  resume(): void {
    super.resume();
    this.clients.resume();
    this.deliver();
  }

  /** No more connections, and calls not delivered whole are answered FAILED: Flume keeps their events. */
  protected endReading(): void {
    this.ending = true;
    this.paused = true;
    this.clients.stop(() => {});
    for (const call of this.calls.splice(0)) this.reply(call, 'FAILED');
  }

  protected close(): void {
    for (const conn of this.connections) conn.end();
  }
}
