// `tcp-listen://HOST:PORT`: accept any number of clients and read lines from all of them; each
// client's lines arrive whole, so lines of different clients never mix within a line.

import { createServer, type Socket } from 'node:net';
import { hostPort, type HostPort } from '../uri.ts';
import { capConnections, Listener, MAX_CONNECTIONS } from './listener.ts';
import { LineChunker, noOnce, type Source, type SourceDef } from './source.ts';

export const tcpListen: SourceDef<HostPort> = {
  scheme: 'tcp-listen',
  usage: 'tcp-listen://HOST:PORT',
  summary: 'accept clients and read lines from all of them',
  params: [MAX_CONNECTIONS],
  target: hostPort('listen'),
  create({ host, port }, params, uri): Source {
    const server = createServer();
    capConnections(server, params['max-connections'] as number, uri);
    const clients = new Listener<Socket>(uri, server, { host, port });
    return {
      label: uri,
      untilNow() {
        throw noOnce(uri);
      },
      run(intake) {
        server.on('connection', (socket) => {
          clients.take(socket);
          const lines = new LineChunker(intake);
          const text = (t: string) => intake.text(t);
          socket.on('data', (buf: Buffer) => lines.push(buf, text));
          socket.on('end', () => lines.end(text));
          socket.on('error', () => {}); // a client that resets ends only its own stream
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
  },
};
