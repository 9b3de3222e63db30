// `mqtt://HOST:PORT/TOPIC`: publish each record as one message; `?topic=T` with `{key}` puts a pair's
// key in the topic (`sensors/{key}`), its value the payload. At QoS 1 a batch is done once the broker
// has acknowledged every message; while it is down mqtt.js queues them and sends them again.

import type { MqttClient } from 'mqtt';
import { note } from '../../core/report.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, brokerTarget, keyedTarget, mqttClient, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import type { Sink, SinkDef } from './sink.ts';

/** Messages a batch may have unacknowledged before the sink holds the sources back. */
const MAX_UNACKED = 4096;

const address = brokerTarget(1883, 'mqtt://HOST[:PORT]/TOPIC, e.g. mqtt://localhost:1883/alerts');

export const mqtt: SinkDef<BrokerTarget & { topic: string }> = {
  scheme: 'mqtt',
  usage: 'mqtt://HOST[:PORT]/TOPIC',
  summary: "publish each record (a pair's key may go in the topic), QoS 1 acknowledged by the broker",
  params: [
    { name: 'qos', value: { kind: 'choice', choices: ['0', '1'] }, default: '1', summary: '1: a batch is done once the broker has every message; 0: once sent' },
    { name: 'topic', value: { kind: 'string', metavar: 'T' }, summary: "the topic instead of the path, with {key} for a pair's key (sensors/{key})" },
    { name: 'retain', value: { kind: 'flag' }, default: 'false', summary: 'the broker keeps the last message of each topic for new subscribers' },
  ],
  target(path, params, problem) {
    const target = address(path, params, problem);
    const topic = (params.topic as string | undefined) ?? target.name;
    if (!topic) problem('no topic; give one after the address or as ?topic=T');
    if (/[+#]/.test(topic)) problem(`'${topic}' is a filter; a message goes to one topic (no + or #)`);
    return { ...target, topic };
  },
  create(target, params, options, uri): Sink {
    const label = redact(uri);
    const { topic } = target;
    const qos = Number(params.qos) as 0 | 1;
    const retain = params.retain as boolean;
    const { render, withTime, pressure } = options;
    let client: MqttClient | undefined;
    let prefix = '';
    let sent: Promise<unknown>[] = [];
    let failure: unknown;

    const connect = async () => {
      const { connect } = await mqttClient();
      const c = connect({
        host: target.host,
        port: target.port,
        username: target.user,
        password: target.password,
        protocolVersion: 5,
        reconnectPeriod: BROKER_RETRY.maxMs / 5,
        connectTimeout: 5000,
      });
      let down = false;
      c.on('connect', () => {
        if (down) note(`${label}: connected`);
        down = false;
      });
      c.on('error', (err) => {
        if (typeof (err as { code?: unknown }).code === 'number') failure ??= err;
        else if (!down) note(`${label}: cannot reach the broker (${messageOf(err)}); retrying with backoff until it is up`);
        down = true;
      });
      c.on('offline', () => (down = true));
      return c;
    };
    let connecting: Promise<MqttClient> | undefined;

    const publish = async (to: string, payload: string) => {
      const c = (client ??= await (connecting ??= connect()));
      await c.publishAsync(to, payload, { qos, retain });
    };

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        sent = [];
      },
      push(rec) {
        const { to, value } = keyedTarget(topic, rec);
        const p = publish(to, prefix + render(value));
        p.catch(() => {}); // end() reports it
        sent.push(p);
        if (sent.length % MAX_UNACKED === 0) pressure.hold(Promise.allSettled(sent.slice(-MAX_UNACKED)));
      },
      async end() {
        const results = await Promise.allSettled(sent);
        const bad = results.find((r) => r.status === 'rejected');
        if (failure || bad) throw new IoError(messageOf(failure ?? (bad as PromiseRejectedResult).reason));
      },
      async close() {
        await client?.endAsync();
      },
      abort() {
        client?.end(true);
      },
    };
  },
};
