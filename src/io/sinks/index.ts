// The registry of sinks, by URI scheme; a URI with no known scheme is a per-batch file path.

import { checkUri } from '../uri.ts';
import { append } from './append.ts';
import { batchFiles } from './batch-files.ts';
import { http, https } from './http.ts';
import { kafka } from './kafka.ts';
import type { Sink, SinkDef, SinkOptions } from './sink.ts';
import { stdout } from './stdout.ts';
import { tcp } from './tcp.ts';
import { tcpListen } from './tcp-listen.ts';

export const SINKS: readonly SinkDef<unknown>[] = [stdout, batchFiles, append, tcp, tcpListen, http, https, kafka];

/** The sink a URI names, its parameters and target checked; throws UsageError (pipeline files are checked with it). */
export function sinkFor(uri: string) {
  return checkUri(uri, SINKS, batchFiles, 'sink');
}

export function createSink(uri: string, options: SinkOptions): Sink {
  const { def, target, values } = sinkFor(uri);
  return def.create(target, values, options, uri);
}
