// What the ZeroMQ sources and sinks share (zmq+sub://, zmq+pull://, zmq+pub://, zmq+push://): the
// HOST:PORT target with `?bind=` and `?hwm=`, the zeromq client (loaded when a zmq+ scheme is first
// used, so that every other run of sluice starts without it), and a socket bound or connected with
// its outages said on stderr.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Socket } from 'zeromq';
import { note } from '../core/report.ts';
import { IoError, lastingFailure, messageOf } from '../core/errors.ts';
import { BROKER_RETRY } from './brokers.ts';
import { hostPort, type ParamValues, type Problem, type UriParam } from './uri.ts';

/** CommonJS: its exports are the default (see brokers.ts). */
export const zmqClient = async () => (await import('zeromq')).default;

export interface ZmqTarget {
  host: string;
  port: number;
  bind: boolean;
  hwm: number;
}

/** The parameters every ZeroMQ scheme takes. */
export const ZMQ_PARAMS: readonly UriParam[] = [
  { name: 'bind', value: { kind: 'flag' }, default: 'false', summary: 'bind HOST:PORT for peers to connect to (without: connect to a peer that binds it, retrying until it is there)' },
  { name: 'hwm', value: { kind: 'int', min: 1, metavar: 'N' }, default: '1000', summary: "ZeroMQ's high-water mark: the messages the socket queues per peer before a PUB drops and a PUSH blocks" },
];

const address = hostPort('connect');

/** The target rule of a ZeroMQ URI: HOST:PORT and nothing after it; `scheme` shows the form in the message. */
export function zmqTarget(scheme: string): (rest: string, params: ParamValues, problem: Problem) => ZmqTarget {
  return (rest, params, problem) => {
    const { host, port, path } = address(rest, params, problem);
    if (path) problem(`nothing may follow HOST:PORT (${path}); expected ${scheme}://HOST:PORT, e.g. ${scheme}://127.0.0.1:5555`);
    return { host, port, bind: params.bind as boolean, hwm: params.hwm as number };
  };
}

/**
 * Bind `socket` to the target or connect it. A host name is looked up first (one that does not
 * resolve is an error, where ZeroMQ would retry it for ever); a connection is ZeroMQ's own, retried
 * with backoff while the peer is away, which is said once per outage as `label`'s. A failure is an
 * IoError without the label (a source adds its own; a sink's is named by the run).
 */
export async function attach(socket: Socket, target: ZmqTarget, label: string): Promise<void> {
  let ip = target.host;
  if (!isIP(ip)) {
    try {
      ip = (await lookup(target.host)).address;
    } catch (err) {
      throw new IoError(lastingFailure(err) ?? `cannot look up '${target.host}': ${messageOf(err)}`, { cause: err });
    }
  }
  socket.ipv6 = isIP(ip) === 6;
  const endpoint = `tcp://${isIP(ip) === 6 ? `[${ip}]` : ip}:${target.port}`;
  if (target.bind) {
    try {
      await socket.bind(endpoint);
    } catch (err) {
      throw new IoError(`cannot bind ${target.host}:${target.port}: ${messageOf(err)}`, { cause: err });
    }
    return;
  }
  socket.reconnectInterval = BROKER_RETRY.baseMs;
  socket.reconnectMaxInterval = BROKER_RETRY.maxMs;
  let up = false;
  let said = false;
  socket.events.on('connect', () => {
    if (said) note(`${label}: connected`);
    up = true;
    said = false;
  });
  socket.events.on('connect:retry', () => {
    if (!said) note(`${label}: cannot reach the peer at ${target.host}:${target.port}; ZeroMQ retries with backoff until it is up`);
    said = true;
  });
  socket.events.on('disconnect', () => {
    if (up) note(`${label}: connection lost; reconnecting`);
    up = false;
    said = true;
  });
  socket.connect(endpoint);
}
