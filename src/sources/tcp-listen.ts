// `tcp-listen://HOST:PORT`: accept any number of clients and read lines from all of them; each
// client's lines arrive whole, so lines of different clients never mix within a line.

import { createServer, type Socket } from 'node:net';
import { IoError, messageOf } from '../engine/errors.ts';
import { hostPort, uriOptions } from '../engine/uri-options.ts';
import { LineChunker, noOnce, type Source, type SourceDef } from './source.ts';

export const tcpListen: SourceDef = {
  scheme: 'tcp-listen',
  usage: 'tcp-listen://HOST:PORT',
  summary: 'accept clients and read lines from all of them',
  create(rest, uri): Source {
    const { host, port } = hostPort(uriOptions(rest, [], uri).path, uri);
    const clients = new Set<Socket>();
    let paused = false;
    let stopped = false;
    const server = createServer();
    return {
      label: uri,
      untilNow() {
        throw noOnce(uri);
      },
      run(intake) {
        return new Promise<void>((resolve, reject) => {
          server.on('connection', (socket) => {
            clients.add(socket);
            if (paused) socket.pause();
            const lines = new LineChunker();
            const text = (t: string) => intake.text(t);
            socket.on('data', (buf: Buffer) => lines.push(buf, text));
            socket.on('end', () => lines.end(text));
            socket.on('error', () => {}); // a client that resets ends only its own stream
            socket.on('close', () => clients.delete(socket));
          });
          server.once('error', (err) => reject(new IoError(`${uri}: cannot listen: ${messageOf(err)}`, { cause: err })));
          server.once('close', resolve);
          if (stopped) resolve();
          else server.listen(port, host);
        });
      },
      pause() {
        paused = true;
        for (const socket of clients) socket.pause();
      },
      resume() {
        paused = false;
        for (const socket of clients) socket.resume();
      },
      stop() {
        if (stopped) return;
        stopped = true;
        server.close();
        for (const socket of clients) socket.destroy();
      },
    };
  },
};
