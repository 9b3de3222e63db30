// `tcp-listen://HOST:PORT`: accept any number of clients and read lines from all of them; each
// client's lines arrive whole, so lines of different clients never mix within a line.

import { hostPort, type HostPort } from '../uri.ts';
import { acceptingSource, MAX_CONNECTIONS } from './listener.ts';
import { LineChunker, type SourceDef } from './source.ts';

export const tcpListen: SourceDef<HostPort> = {
  scheme: 'tcp-listen',
  usage: 'tcp-listen://HOST:PORT',
  summary: 'accept clients and read lines from all of them',
  params: [MAX_CONNECTIONS],
  target: hostPort('listen'),
  create: (address, params, uri) =>
    acceptingSource(uri, address, params['max-connections'] as number, (socket, intake) => {
      const lines = new LineChunker(intake);
      const text = (t: string) => intake.text(t);
      socket.on('data', (buf: Buffer) => lines.push(buf, text));
      socket.on('end', () => lines.end(text));
    }),
};
