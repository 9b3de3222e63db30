// The registry of sources, by URI scheme; a URI with no known scheme is a file path.

import { redactedUri, resolveUri, uriParams } from '../uri.ts';
import { amqp } from './amqp.ts';
import { dir } from './dir.ts';
import { file } from './file.ts';
import { httpListen } from './http-listen.ts';
import { kafka } from './kafka.ts';
import { mqtt } from './mqtt.ts';
import { nats, natsJs } from './nats.ts';
import { redis } from './redis.ts';
import type { Source, SourceDef } from './source.ts';
import { stdin } from './stdin.ts';
import { syslogTcp, syslogUdp } from './syslog.ts';
import { tail } from './tail.ts';
import { tcp } from './tcp.ts';
import { tcpListen } from './tcp-listen.ts';

export const SOURCES: readonly SourceDef[] = [stdin, file, tail, dir, tcp, tcpListen, httpListen, kafka, mqtt, redis, nats, natsJs, amqp, syslogUdp, syslogTcp];

/** The source a URI names, its parameters checked; throws UsageError (pipeline files are checked with it). */
export function sourceFor(uri: string) {
  const { def, rest } = resolveUri(uri, SOURCES, file, 'source');
  return { def, ...uriParams(rest, def, uri) };
}

export function createSource(uri: string): Source {
  const { def, path, values } = sourceFor(uri);
  return def.create(path, values, redactedUri(uri));
}
