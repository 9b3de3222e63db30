// `tcp://HOST:PORT`: write each batch's lines to one connection. While the peer is down the batch
// waits, reconnecting with exponential backoff, and is sent again whole: a batch counts as done
// once the kernel has taken all of it (at least once; TCP itself cannot say more).

import { connect, type Socket } from 'node:net';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { messageOf } from '../../core/errors.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { lineOf, type Sink, type SinkDef } from './sink.ts';

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
    let batch: string[] = [];

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
    const send = (s: Socket, text: string) =>
      new Promise<void>((resolve, reject) => s.write(text, (err) => (err ? reject(err) : resolve())));

    return {
      begin(t) {
        time = t;
        batch = [];
      },
      push(rec) {
        batch.push(lineOf(options, rec, time));
      },
      async end() {
        if (!batch.length) return;
        const text = batch.join('');
        for (let failures = 0; !closed.signal.aborted; failures++) {
          try {
            await send(await connection(), text);
            if (failures) note(`${uri}: connected`);
            return;
          } catch (err) {
            socket?.destroy();
            socket = undefined;
            if (failures === 0) note(`${uri}: cannot write (${messageOf(err)}); retrying with backoff until the peer is up`);
            await wait(backoffMs(failures), closed.signal);
          }
        }
      },
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
