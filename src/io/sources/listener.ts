// What tcp-listen: and http-listen: share: a server that listens until stop(), the streams it is
// reading, paused and resumed with the pipeline, and the cap on connections open at once.

import type { Server } from 'node:net';
import type { Readable } from 'node:stream';
import { ioFailure } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import type { UriParam } from '../uri.ts';

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
  }

  /** Close the server; `closeConnections` ends those open, or it would wait for them to end. */
  stop(closeConnections: () => void): void {
    if (this.stopped) return;
    this.stopped = true;
    this.server.close();
    closeConnections();
  }
}
