// What tcp-listen:, syslog+tcp: and http-listen: share: a server that listens until stop(), the
// streams it is reading, paused and resumed with the pipeline, and the cap on connections open at once.

import { createServer, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ioFailure } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import type { HostPort, UriParam } from '../uri.ts';
import { noOnce, type Intake, type Source } from './source.ts';

/** `?max-connections=N` of every listener: a listener open to anyone must not be exhausted by it. */
export const MAX_CONNECTIONS: UriParam = {
  name: 'max-connections',
  value: { kind: 'int', min: 1, metavar: 'N' },
  default: '1024',
  summary: 'connections open at once; one more is refused, with a line on stderr',
};

/** How often, at most, refused connections are said on stderr. */
const SAY_EVERY_MS = 10_000;

/** Refuse connections to `server` past `max` open, saying so on stderr (at most every 10 s, with how many). */
export function capConnections(server: Server, max: number, label: string): void {
  server.maxConnections = max;
  let refused = 0;
  let saidAt = -Infinity;
  server.on('drop', (peer?: { remoteAddress?: string }) => {
    refused++;
    if (Date.now() - saidAt < SAY_EVERY_MS) return;
    const what = refused === 1 ? `a connection from ${peer?.remoteAddress ?? 'a client'}` : `${refused} connections`;
    note(`${label}: refused ${what}: ${max} are open, the most ?max-connections=${max} allows`);
    saidAt = Date.now();
    refused = 0;
  });
}

export class Listener<S extends Readable> {
  /** True while the pipeline is paused: streams taken then start paused. */
  paused = false;
  /** The streams being read: take() adds them, they leave as they close. */
  readonly reading = new Set<S>();
  private stopped = false;
  private waiting: (() => void)[] = [];
  private readonly label: string;
  private readonly server: Server;
  private readonly address: { host: string; port: number };

  constructor(label: string, server: Server, address: { host: string; port: number }) {
    this.label = label;
    this.server = server;
    this.address = address;
  }

  /** Listen until stop(); fails if the address cannot be had. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (err) => reject(ioFailure(`${this.label}: cannot listen`, err)));
      this.server.once('close', resolve);
      // stop() came before run(): the server's 'close' has come and gone
      if (this.stopped) resolve();
      else this.server.listen(this.address.port, this.address.host);
    });
  }

  /** Read `stream` in step with the pipeline until it closes. */
  take(stream: S): void {
    this.reading.add(stream);
    if (this.paused) stream.pause();
    stream.on('close', () => this.reading.delete(stream));
  }

  pause(): void {
    this.paused = true;
    for (const stream of this.reading) stream.pause();
  }

  resume(): void {
    this.paused = false;
    for (const stream of this.reading) stream.resume();
    this.wakeAll();
  }

  /** Resolves once the pipeline is not paused (at once if it is not), or the listener stops. */
  resumed(): Promise<void> {
    if (!this.paused || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  /** Close the server; `closeConnections` ends those open, or it would wait for them to end. */
  stop(closeConnections: () => void): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeAll();
    this.server.close();
    closeConnections();
  }
}

/**
 * A live source that accepts any number of TCP clients on `address` and has `read` read each
 * connection into the intake, until stop() closes them all.
 */
export function acceptingSource(uri: string, { host, port }: HostPort, maxConnections: number, read: (socket: Socket, intake: Intake) => void): Source {
  const server = createServer();
  capConnections(server, maxConnections, uri);
  const clients = new Listener<Socket>(uri, server, { host, port });
  return {
    label: uri,
    untilNow() {
      throw noOnce(uri);
    },
    run(intake) {
      server.on('connection', (socket) => {
        clients.take(socket);
        socket.on('error', () => {}); // a client that resets ends only its own stream
        read(socket, intake);
      });
      return clients.listen();
    },
    pause: () => clients.pause(),
    resume: () => clients.resume(),
    stop: () =>
      clients.stop(() => {
        for (const socket of clients.reading) socket.destroy();
      }),
  };
}
