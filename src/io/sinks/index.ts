// The registry of sinks, by URI scheme; a URI with no known scheme is a per-batch file path.

import { namedDescriptor } from '../descriptors.ts';
import { checkUri, redactedUri } from '../uri.ts';
import { amqp } from './amqp.ts';
import { append } from './append.ts';
import { batchFiles } from './batch-files.ts';
import { http, https } from './http.ts';
import { kafka } from './kafka.ts';
import { kinesis } from './kinesis.ts';
import { mariadb, mysql } from './mysql.ts';
import { postgres, postgresql } from './postgres.ts';
import { dashboard, prometheus } from './panel.ts';
import { mqtt } from './mqtt.ts';
import { nats, natsJs } from './nats.ts';
import { redis } from './redis.ts';
import type { Sink, SinkDef, SinkOptions } from './sink.ts';
import { sqlite } from './sqlite.ts';
import { stdout } from './stdout.ts';
import { tcp } from './tcp.ts';
import { tcpListen } from './tcp-listen.ts';
import { zmqPub, zmqPush } from './zmq.ts';

export const SINKS: readonly SinkDef<unknown>[] = [stdout, batchFiles, append, tcp, tcpListen, http, https, kafka, kinesis, mqtt, redis, nats, natsJs, amqp, zmqPub, zmqPush, sqlite, postgres, postgresql, mysql, mariadb, dashboard, prometheus];

/** The sink a URI names, its parameters and target checked; throws UsageError (pipeline files are checked with it). */
export function sinkFor(uri: string) {
  return checkUri(uri, SINKS, batchFiles, 'sink');
}

export function createSink(uri: string, options: SinkOptions): Sink {
  const { def, path, target, values } = sinkFor(uri);
  // a file sink naming this process's stdout is the stdout sink (a full or closed pipe handled as for `-`)
  if ((def === batchFiles || def === append) && namedDescriptor(path) === 1) return stdout.create(path, values, options, redactedUri(uri));
  return def.create(target, values, options, redactedUri(uri));
}
