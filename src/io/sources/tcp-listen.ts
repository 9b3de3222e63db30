// `tcp-listen://HOST:PORT`: accept any number of clients and read lines from all of them; each
// client's lines arrive whole, so lines of different clients never mix within a line.

import { acceptingSource } from './listener.ts';
import { LineChunker, type SourceDef } from './source.ts';

export const tcpListen: SourceDef = {
  scheme: 'tcp-listen',
  usage: 'tcp-listen://HOST:PORT',
  summary: 'accept clients and read lines from all of them',
  params: [],
  create: (rest, _params, uri) =>
    acceptingSource(uri, rest, (socket, intake) => {
      const lines = new LineChunker();
      const text = (t: string) => intake.text(t);
      socket.on('data', (buf: Buffer) => lines.push(buf, text));
      socket.on('end', () => lines.end(text));
    }),
};
