// `tcp-listen://HOST:PORT`: serve each batch's lines to every client connected at the time, like a
// broadcast: a batch with no client is not kept, and a client that stops reading is dropped
// instead of holding up the pipeline or filling memory.

import { createServer, type Socket } from 'node:net';
import { note } from '../../core/report.ts';
import { ioFailure } from '../../core/errors.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { capConnections, MAX_CONNECTIONS } from '../sources/listener.ts';
import { Segments } from './segments.ts';
import { lineOf, type Sink, type SinkDef } from './sink.ts';

/** Unsent bytes after which a client counts as stuck. */
const MAX_BEHIND = 16 << 20;

/** What is written to the clients at a time while a batch goes on. */
const SEGMENT_BYTES = 1 << 20;

export const tcpListen: SinkDef<HostPort> = {
  scheme: 'tcp-listen',
  usage: 'tcp-listen://HOST:PORT',
  summary: "serve each batch's lines to every connected client",
  params: [MAX_CONNECTIONS],
  target: hostPort('listen'),
  create({ host, port }, params, options, uri): Sink {
    const clients = new Set<Socket>();
    const server = createServer((socket) => {
      clients.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => clients.delete(socket));
      socket.resume(); // what clients send is not read
    });
    capConnections(server, params['max-connections'] as number, uri);
    /** Listening starts with the first batch, so that nothing is left open if the run fails before. */
    let listening: Promise<void> | undefined;
    const listen = () =>
      new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', (err) => reject(ioFailure('cannot listen', err)));
        server.listen(port, host);
      });
    let time = 0;
    const broadcast = async (pieces: Buffer<ArrayBuffer>[]) => {
      await listening;
      for (const socket of clients) {
        if (socket.writableLength > MAX_BEHIND) {
          note(`${uri}: dropping client ${socket.remoteAddress}:${socket.remotePort}: it stopped reading`);
          socket.destroy();
        } else for (const piece of pieces) socket.write(piece);
      }
    };
    const segments = new Segments(SEGMENT_BYTES, broadcast, options.pressure);
    const shutdown = () => {
      server.close();
      for (const socket of clients) socket.destroy();
    };
    return {
      begin(t) {
        time = t;
        segments.reset();
        listening ??= listen();
        listening.catch(() => {}); // reported by end()
      },
      push(rec) {
        segments.add(lineOf(options, rec, time));
      },
      async end() {
        await listening;
        await segments.end();
      },
      async close() {
        server.close();
        // each client gets everything sent, unless it has stopped reading for a while
        await Promise.all(
          [...clients].map(
            (socket) =>
              new Promise<void>((resolve) => {
                socket.once('close', () => resolve());
                socket.setTimeout(5000, () => socket.destroy());
                socket.end(() => socket.destroy());
              }),
          ),
        );
      },
      abort: shutdown,
    };
  },
};
