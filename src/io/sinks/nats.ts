// `nats://HOST:PORT/SUBJECT`: publish each record (core NATS: a batch is done once the server has
// taken the connection's writes, at most once to subscribers), and `nats+js://HOST:PORT/SUBJECT`:
// publish to the JetStream stream that takes the subject, a batch done once the stream has
// acknowledged every message. `{key}` in the subject puts a pair's key there.

import type { JetStreamClient, NatsConnection } from 'nats';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, brokerTarget, keyedTarget, natsConnect, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import type { ParamValues, Problem } from '../uri.ts';
import type { Sink, SinkDef, SinkOptions } from './sink.ts';

/** JetStream publishes a batch may have unacknowledged before the sink holds the sources back. */
const MAX_UNACKED = 4096;

export const nats: SinkDef<BrokerTarget> = {
  scheme: 'nats',
  usage: 'nats://HOST[:PORT]/SUBJECT',
  summary: "publish each record (core NATS; {key} in the subject for a pair's key)",
  params: [],
  target: subjectTarget('nats'),
  create: (target, _params, options, uri) => natsSink(target, options, uri, false),
};

export const natsJs: SinkDef<BrokerTarget> = {
  scheme: 'nats+js',
  usage: 'nats+js://HOST[:PORT]/SUBJECT',
  summary: 'publish each record to the JetStream stream that takes the subject, acknowledged by it',
  params: [],
  target: subjectTarget('nats+js'),
  create: (target, _params, options, uri) => natsSink(target, options, uri, true),
};

/** The target rule of a sink's URI: one subject, no wildcard. */
function subjectTarget(scheme: string): (rest: string, params: ParamValues, problem: Problem) => BrokerTarget {
  const address = brokerTarget(4222, `${scheme}://HOST[:PORT]/SUBJECT, e.g. ${scheme}://localhost:4222/logs.app`, 'subject');
  return (rest, params, problem) => {
    const target = address(rest, params, problem);
    if (/[*>]/.test(target.name)) problem(`'${target.name}' has a wildcard; a message goes to one subject`);
    return target;
  };
}

function natsSink(target: BrokerTarget, options: SinkOptions, uri: string, jetstream: boolean): Sink {
  const label = redact(uri);
  const subject = target.name;
  const { render, withTime, pressure } = options;
  const closed = new AbortController();
  let nc: NatsConnection | undefined;
  let up = () => false;
  let js: JetStreamClient | undefined;
  let connecting: ReturnType<typeof natsConnect> | undefined;
  let prefix = '';
  let sent: Promise<void>[] = [];

  /** One JetStream publish, retried while the server or the stream's leader is away. */
  const publishAcked = async (to: string, data: string) => {
    for (let failures = 0; !closed.signal.aborted; failures++) {
      try {
        await js!.publish(to, data);
        if (failures) note(`${label}: publishing again`);
        return;
      } catch (err) {
        // 503 on a connection that is up: no stream takes the subject, which retrying will not change
        if ((err as { code?: string }).code === '503' && up()) {
          throw new IoError(`no JetStream stream takes subject '${to}'; create one (nats stream add) or publish with nats://`, { cause: err });
        }
        if (failures === 0) note(`${label}: cannot publish (${messageOf(err)}); retrying with backoff`);
        await wait(backoffMs(failures, Math.random, BROKER_RETRY), closed.signal);
      }
    }
  };

  const publish = async (to: string, data: string) => {
    if (!nc) {
      const connection = await (connecting ??= natsConnect(label, target, closed.signal));
      if (!connection) return;
      ({ nc, up } = connection);
    }
    if (!jetstream) return nc.publish(to, data);
    js ??= nc.jetstream();
    await publishAcked(to, data);
  };

  return {
    begin(t) {
      prefix = withTime ? `${t}\t` : '';
      sent = [];
    },
    push(rec) {
      const { to, value } = keyedTarget(subject, rec);
      const p = publish(to, prefix + render(value));
      p.catch(() => {}); // end() reports it
      sent.push(p);
      if (jetstream && sent.length % MAX_UNACKED === 0) pressure.hold(Promise.allSettled(sent.slice(-MAX_UNACKED)));
    },
    async end() {
      const results = await Promise.allSettled(sent);
      const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (bad) throw bad.reason instanceof IoError ? bad.reason : new IoError(messageOf(bad.reason), { cause: bad.reason });
      // core NATS: the server has what was written once a round trip after it comes back
      if (nc && !jetstream) await nc.flush();
    },
    async close() {
      await nc?.drain().catch(() => {});
    },
    abort() {
      closed.abort();
      void nc?.close();
    },
  };
}
