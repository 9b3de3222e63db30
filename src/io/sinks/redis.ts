// `redis://HOST:PORT/STREAM`: XADD each record to a stream, field `data` (a pair: `key` and `data`),
// pipelined; a batch is done once the server has every entry. While it is down the entries wait and
// are sent again (Redis itself may then hold one twice: at least once).

import type { Redis } from 'ioredis';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, brokerTarget, redisClient, type BrokerTarget } from '../brokers.ts';
import { keyText } from '../render/format.ts';
import { redactedUri as redact } from '../uri.ts';
import type { Sink, SinkDef } from './sink.ts';

const EXAMPLE = 'redis://HOST[:PORT]/STREAM, e.g. redis://localhost:6379/events';
/** Entries sent in one pipeline. */
const PIPELINE = 1000;

export const redis: SinkDef<BrokerTarget> = {
  scheme: 'redis',
  usage: 'redis://HOST[:PORT]/STREAM',
  summary: 'XADD each record to a stream (field data; a pair: key and data)',
  params: [{ name: 'maxlen', value: { kind: 'int', min: 1, metavar: 'N' }, summary: 'trim the stream to about N entries as it grows (MAXLEN ~)' }],
  target: brokerTarget(6379, EXAMPLE, 'stream'),
  create(target, params, options, uri): Sink {
    const label = redact(uri);
    const stream = target.name;
    const trim = params.maxlen === undefined ? [] : ['MAXLEN', '~', String(params.maxlen)];
    const { render, withTime, pressure } = options;
    const closed = new AbortController();
    let client: Redis | undefined;
    let prefix = '';
    let entries: string[][] = [];
    let sent: Promise<void> = Promise.resolve();
    let unsent = 0;

    const deliver = async (batch: string[][]) => {
      if (!client) {
        const Redis = await redisClient();
        // no retries of its own: this loop retries whole pipelines, saying so
        client = new Redis({ host: target.host, port: target.port, username: target.user, password: target.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => {}); // each pipeline's failure is handled below
      }
      for (let failures = 0; !closed.signal.aborted; failures++) {
        try {
          if (client.status === 'wait' || client.status === 'end') await client.connect();
          const pipeline = client.pipeline();
          for (const fields of batch) pipeline.call('XADD', stream, ...trim, '*', ...fields);
          for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
          if (failures) note(`${label}: connected`);
          return;
        } catch (err) {
          if ((err as Error).name === 'ReplyError' && !/^LOADING/.test(messageOf(err))) throw new IoError(messageOf(err), { cause: err });
          if (failures === 0) note(`${label}: cannot write (${messageOf(err)}); retrying with backoff until the server is up`);
          client.disconnect();
          await wait(backoffMs(failures, Math.random, BROKER_RETRY), closed.signal);
        }
      }
    };
    const send = () => {
      const batch = entries;
      entries = [];
      unsent++;
      sent = sent.then(() => deliver(batch)).finally(() => unsent--);
      sent.catch(() => {}); // end() reports it
      if (unsent > 4) pressure.hold(sent);
    };

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        sent = Promise.resolve();
      },
      push(rec) {
        if (Array.isArray(rec) && rec.length === 2) {
          entries.push(['key', keyText(rec[0]), 'data', prefix + render(rec[1])]);
        } else {
          entries.push(['data', prefix + render(rec)]);
        }
        if (entries.length >= PIPELINE) send();
      },
      async end() {
        if (entries.length) send();
        await sent;
      },
      async close() {
        await client?.quit().catch(() => {});
      },
      abort() {
        closed.abort();
        client?.disconnect();
      },
    };
  },
};
