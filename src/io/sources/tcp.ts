// `tcp://HOST:PORT`: Spark's socketTextStream: connect and read lines. When the peer is down or goes
// away, reconnect with exponential backoff and jitter, saying so on stderr once per outage.

import { connect, type Socket } from 'node:net';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, lastingFailure, messageOf } from '../../core/errors.ts';
import type { Intake } from './source.ts';
import { hostPort, type HostPort } from '../uri.ts';
import { noOnce, readStream, type Source, type SourceDef } from './source.ts';

export const tcp: SourceDef<HostPort> = {
  scheme: 'tcp',
  usage: 'tcp://HOST:PORT',
  summary: 'connect and read lines (socketTextStream), reconnecting with backoff',
  params: [],
  target: hostPort('connect'),
  create({ host, port }, _params, uri) {
    return new TcpSource(uri, host, port);
  },
};

class TcpSource implements Source {
  readonly label: string;
  private readonly host: string;
  private readonly port: number;
  private socket: Socket | undefined;
  private paused = false;
  private readonly stopped = new AbortController();

  constructor(label: string, host: string, port: number) {
    this.label = label;
    this.host = host;
    this.port = port;
  }

  untilNow(): void {
    throw noOnce(this.label);
  }

  async run(intake: Intake): Promise<void> {
    const { signal } = this.stopped;
    let failures = 0;
    while (!signal.aborted) {
      const socket = connect({ host: this.host, port: this.port });
      this.socket = socket;
      if (this.paused) socket.pause();
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        if (failures) note(`${this.label}: connected`);
        failures = 0;
      });
      const err = await readStream(socket, intake).then(() => undefined, (e: unknown) => e);
      socket.destroy();
      this.socket = undefined;
      if (signal.aborted) break;
      const lasting = lastingFailure(err);
      if (lasting) throw new IoError(`${this.label}: cannot connect: ${lasting}`, { cause: err });
      if (connected) {
        note(`${this.label}: ${err ? `connection lost (${messageOf(err)})` : 'the peer closed the connection'}; reconnecting`);
      } else if (failures === 0) {
        note(`${this.label}: cannot connect (${err ? messageOf(err) : 'closed'}); retrying with backoff until it is up`);
      }
      await wait(backoffMs(failures++), signal);
    }
  }

  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  stop(): void {
    this.stopped.abort();
    this.socket?.destroy();
  }
}
