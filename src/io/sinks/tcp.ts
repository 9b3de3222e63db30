// `tcp://HOST:PORT`: write each batch's lines to one connection, in segments of 1 MiB sent while
// the batch goes on. While the peer is down a segment waits, reconnecting with exponential backoff,
// and is sent again whole: a batch counts as done once the kernel has taken all of it (at least
// once; TCP itself cannot say more).

import { connect, type Socket } from 'node:net';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, lastingFailure, messageOf } from '../../core/errors.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { Segments } from './segments.ts';
import { lineOf, type Sink, type SinkDef } from './sink.ts';

/** What one write carries; the peer gets a segment again whole after a reconnection. */
const SEGMENT_BYTES = 1 << 20;

export const tcp: SinkDef<HostPort> = {
  scheme: 'tcp',
  usage: 'tcp://HOST:PORT',
  summary: 'connect and write lines, reconnecting with backoff',
  params: [],
  target: hostPort('connect'),
  create({ host, port }, _params, options, uri): Sink {
    const closed = new AbortController();
    let socket: Socket | undefined;
    let time = 0;

    /** The open connection, or a new one; rejects when it cannot be made. */
    const connection = (): Promise<Socket> => {
      if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
      return new Promise((resolve, reject) => {
        const s = connect({ host, port });
        s.once('connect', () => {
          s.removeListener('error', reject);
          s.on('error', () => s.destroy()); // noticed by the next write
          s.on('end', () => s.destroy()); // the peer hung up: reconnect for the next batch
          resolve((socket = s));
        });
        s.once('error', reject);
      });
    };
    /** Resolves once the kernel has taken every piece; a failed write fails the last one too. */
    const send = (s: Socket, pieces: Buffer<ArrayBuffer>[]) =>
      new Promise<void>((resolve, reject) => {
        for (const piece of pieces.slice(0, -1)) s.write(piece);
        s.write(pieces.at(-1)!, (err) => (err ? reject(err) : resolve()));
      });
    const deliver = async (pieces: Buffer<ArrayBuffer>[]) => {
      for (let failures = 0; !closed.signal.aborted; failures++) {
        try {
          await send(await connection(), pieces);
          if (failures) note(`${uri}: connected`);
          return;
        } catch (err) {
          socket?.destroy();
          socket = undefined;
          const lasting = lastingFailure(err);
          if (lasting) throw new IoError(`cannot connect: ${lasting}`, { cause: err });
          if (failures === 0) note(`${uri}: cannot write (${messageOf(err)}); retrying with backoff until the peer is up`);
          await wait(backoffMs(failures), closed.signal);
        }
      }
    };
    const segments = new Segments(SEGMENT_BYTES, deliver, options.pressure);

    return {
      begin(t) {
        time = t;
        segments.reset();
      },
      push(rec) {
        segments.add(lineOf(options, rec, time));
      },
      end: () => segments.end(),
      async close() {
        const s = socket;
        socket = undefined;
        if (s && !s.destroyed) await new Promise<void>((resolve) => s.end(resolve));
        s?.destroy();
      },
      abort() {
        closed.abort();
        socket?.destroy();
      },
    };
  },
};
