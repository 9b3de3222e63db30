// The registry of sources, by URI scheme; a URI with no known scheme is a file path.

import { checkUri, redactedUri } from '../uri.ts';
import { amqp } from './amqp.ts';
import { dir } from './dir.ts';
import { file } from './file.ts';
import { flume } from './flume.ts';
import { httpListen } from './http-listen.ts';
import { kafka } from './kafka.ts';
import { kinesis } from './kinesis.ts';
import { mqtt } from './mqtt.ts';
import { nats, natsJs } from './nats.ts';
import { redis } from './redis.ts';
import type { Source, SourceDef } from './source.ts';
import { stdin } from './stdin.ts';
import { syslogTcp, syslogUdp } from './syslog.ts';
import { tail } from './tail.ts';
import { tcp } from './tcp.ts';
import { tcpListen } from './tcp-listen.ts';
import { x } from './x.ts';
import { zmqPull, zmqSub } from './zmq.ts';

export const SOURCES: readonly SourceDef<unknown>[] = [stdin, file, tail, dir, tcp, tcpListen, httpListen, kafka, kinesis, mqtt, redis, nats, natsJs, amqp, flume, syslogUdp, syslogTcp, zmqSub, zmqPull, x];

/** The source a URI names, its parameters and target checked; throws UsageError (pipeline files are checked with it). */
export function sourceFor(uri: string) {
  return checkUri(uri, SOURCES, file, 'source');
}

export function createSource(uri: string): Source {
  const { def, target, values } = sourceFor(uri);
  return def.create(target, values, redactedUri(uri));
}
