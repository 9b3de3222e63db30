// `syslog+udp://HOST:PORT` and `syslog+tcp://HOST:PORT`: receive syslog messages (RFC 5424 or RFC
// 3164), each one record, as text for `--parse syslog` to take apart. Over UDP a datagram is one
// message (RFC 5426); over TCP each message is framed by octet counting (`LEN SP MSG`, RFC 6587) or
// ended by a newline, decided per message. Live streams, like tcp-listen:.

import { createSocket } from 'node:dgram';
import { note } from '../../core/report.ts';
import { ioFailure } from '../../core/errors.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { acceptingSource, MAX_CONNECTIONS } from './listener.ts';
import { noOnce, type Source, type SourceDef } from './source.ts';

/** The longest message a TCP peer may announce: more is a broken or hostile stream, and it is cut off. */
const MAX_MESSAGE = 1 << 20;

export const syslogUdp: SourceDef<HostPort> = {
  scheme: 'syslog+udp',
  usage: 'syslog+udp://HOST:PORT',
  summary: 'receive syslog datagrams (RFC 5424, RFC 3164), each one record',
  params: [],
  target: hostPort('listen'),
  create({ host, port }, _params, uri): Source {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let paused = false;
    let dropped = 0;
    return {
      label: uri,
      untilNow() {
        throw noOnce(uri);
      },
      run(intake) {
        socket.on('message', (buf, from) => {
          // a datagram cannot wait: while the pipeline is held, those that come are lost, and counted
          if (paused) return void dropped++;
          const text = buf.toString('utf8').replace(/\r?\n$/, '');
          intake.message(text, () => `${uri} (from ${from.address}:${from.port})`);
        });
        return new Promise((resolve, reject) => {
          socket.once('error', (err) => reject(ioFailure(`${uri}: cannot listen`, err)));
          socket.once('close', resolve);
          socket.bind(port, host);
        });
      },
      pause() {
        paused = true;
      },
      resume() {
        paused = false;
        if (dropped) note(`${uri}: ${dropped} datagrams lost while the pipeline was held`);
        dropped = 0;
      },
      stop() {
        try {
          socket.close();
        } catch {
          // never bound, or closed already
        }
      },
    };
  },
};

export const syslogTcp: SourceDef<HostPort> = {
  scheme: 'syslog+tcp',
  usage: 'syslog+tcp://HOST:PORT',
  summary: 'accept syslog senders (octet counting or newline framing), each message one record',
  params: [MAX_CONNECTIONS],
  target: hostPort('listen'),
  create: (address, params, uri) =>
    acceptingSource(uri, address, params['max-connections'] as number, (socket, intake) => {
      const where = () => `${uri} (from ${socket.remoteAddress}:${socket.remotePort})`;
      const frames = new SyslogFrames((text) => intake.message(text, where));
      socket.on('data', (buf: Buffer) => {
        const bad = frames.push(buf);
        if (bad) {
          note(`${where()}: ${bad}; closing the connection`);
          socket.destroy();
        }
      });
      socket.on('end', () => frames.end());
    }),
};

/**
 * Cuts one TCP stream into syslog messages: one that starts with `LEN SP` is octet counted, any
 * other runs to the next newline (non-transparent framing, RFC 6587 3.4.2).
 */
export class SyslogFrames {
  private buf = Buffer.alloc(0);
  private readonly out: (text: string) => void;

  constructor(out: (text: string) => void) {
    this.out = out;
  }

  /** Hand out every whole message so far; what is wrong with the stream, if it cannot go on. */
  push(chunk: Buffer): string | undefined {
    let buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let at = 0;
    while (at < buf.length) {
      const c = buf[at]!;
      if (c === 10 || c === 13 || c === 0) {
        at++; // blank lines and stray terminators between messages
        continue;
      }
      const counted = c >= 48 && c <= 57 ? /^([1-9]\d{0,9}) /.exec(buf.toString('latin1', at, Math.min(buf.length, at + 11))) : null;
      if (counted) {
        const len = Number(counted[1]);
        if (len > MAX_MESSAGE) return `a message of ${len} bytes is announced (at most ${MAX_MESSAGE})`;
        const from = at + counted[0].length;
        if (from + len > buf.length) break;
        this.out(buf.toString('utf8', from, from + len).replace(/\r?\n?$/, ''));
        at = from + len;
      } else if (buf.length - at <= 10 && /^\d+$/.test(buf.toString('latin1', at))) {
        break; // a length whose space has not come yet
      } else {
        const nl = buf.indexOf(10, at);
        if (nl < 0) {
          if (buf.length - at > MAX_MESSAGE) return `a line longer than ${MAX_MESSAGE} bytes`;
          break;
        }
        this.out(buf.toString('utf8', at, nl).replace(/\r$/, ''));
        at = nl + 1;
      }
    }
    this.buf = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    return undefined;
  }

  /** The stream ended: a last message without its newline counts. */
  end(): void {
    const rest = this.buf.toString('utf8');
    this.buf = Buffer.alloc(0);
    if (rest && !/^\d+ /.test(rest)) this.out(rest);
  }
}
