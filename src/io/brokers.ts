// What the message-broker sources and sinks share (mqtt://, nats://, nats+js://, amqp://, redis://):
// HOST[:PORT]/NAME with a default port and optional credentials, and their client libraries, each
// loaded when its scheme is first used so that every other run of sluice starts without them.

import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { NatsConnection } from 'nats';
import { note } from '../core/report.ts';
import { backoffMs, wait } from '../core/backoff.ts';
import { IoError, messageOf } from '../core/errors.ts';
import { keyText } from './render/format.ts';
import type { ParamValues, Problem } from './uri.ts';

export interface BrokerTarget {
  host: string;
  port: number;
  /** What follows the first '/' after the address, as written (an MQTT filter keeps its '#'). */
  name: string;
  user?: string;
  password?: string;
}

/**
 * The target rule of a broker URI, `[USER[:PASS]@]HOST[:PORT][/NAME]`: `example` shows the whole
 * form in the message for a bad one; `what` names the NAME part where one is required (a queue, a stream).
 */
export function brokerTarget(defaultPort: number, example: string, what?: string): (rest: string, params: ParamValues, problem: Problem) => BrokerTarget {
  return (rest, _params, problem) => {
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    const name = slash < 0 ? '' : rest.slice(slash + 1);
    let url: URL | undefined;
    try {
      url = new URL(`x://${authority}`);
    } catch {
      // said below
    }
    if (!url?.hostname || url.pathname !== '' || url.search || url.hash) {
      problem(`expected ${example}`);
      return { host: '', port: defaultPort, name };
    }
    if (what && !name) problem(`no ${what}; expected ${example}`);
    return {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : defaultPort,
      name,
      user: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
    };
  };
}

/** Retries while a broker is unreachable: one that comes back is noticed within seconds. */
export const BROKER_RETRY = { baseMs: 200, maxMs: 5000 };

// These client libraries are CommonJS: their exports are what import() gives as the default, the one
// export they have once bundled into dist/ (where only an ES module's named exports survive).
export const mqttClient = async () => (await import('mqtt')).default;
export const natsClient = async () => (await import('nats')).default;
export const amqpClient = async () => (await import('amqplib')).default;
export const redisClient = async () => (await import('ioredis')).default.Redis;

/**
 * A connection to a NATS server, retried until it is up (saying so once), that notes outages as
 * `label`'s; undefined if `signal` aborts first. Refused credentials are an IoError without the label.
 */
export async function natsConnect(label: string, target: BrokerTarget, signal: AbortSignal): Promise<{ nc: NatsConnection; up: () => boolean } | undefined> {
  const { connect } = await natsClient();
  for (let failures = 0; !signal.aborted; failures++) {
    try {
      const nc = await connect({ servers: `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`, user: target.user, pass: target.password, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: 'sluice' });
      if (failures) note(`${label}: connected`);
      let up = true;
      void (async () => {
        for await (const s of nc.status()) {
          if (s.type === 'disconnect') note(`${label}: connection lost; reconnecting`);
          else if (s.type === 'reconnect') note(`${label}: connected`);
          if (s.type === 'disconnect' || s.type === 'reconnect') up = s.type === 'reconnect';
        }
      })();
      return { nc, up: () => up && !nc.isClosed() };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'AUTHORIZATION_VIOLATION') throw new IoError(messageOf(err), { cause: err }); // named by the caller: a sink's by the run
      if (failures === 0) note(`${label}: cannot reach the server (${messageOf(err)}); retrying with backoff until it is up`);
      await wait(backoffMs(failures, Math.random, BROKER_RETRY), signal);
    }
  }
  return undefined;
}

/**
 * A connection to RabbitMQ and a channel on it (a confirm channel for publishing) with `queue`
 * there: checked, and declared durable if missing (a queue that exists keeps its own settings).
 */
export async function amqpOpen<C extends boolean>(target: BrokerTarget, vhost: string | undefined, queue: string, confirm: C): Promise<{ connection: ChannelModel; channel: C extends true ? ConfirmChannel : Channel }> {
  const { connect } = await amqpClient();
  const connection = await connect({ protocol: 'amqp', hostname: target.host, port: target.port, username: target.user ?? 'guest', password: target.password ?? 'guest', vhost: vhost ?? '/' });
  try {
    const probe = await connection.createChannel();
    probe.on('error', () => {}); // a missing queue closes the channel: answered below
    const exists = await probe.checkQueue(queue).then(() => true, () => false);
    if (exists) await probe.close();
    const channel = confirm ? await connection.createConfirmChannel() : await connection.createChannel();
    if (!exists) await channel.assertQueue(queue, { durable: true });
    return { connection, channel: channel as C extends true ? ConfirmChannel : Channel };
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
}

/**
 * Where a record goes and what it says: `{key}` in `template` (a topic, a subject) takes a pair's
 * key (a string as is, else JSON) and the message is its value; without it, the whole record.
 */
export function keyedTarget(template: string, rec: unknown): { to: string; value: unknown } {
  if (!template.includes('{key}')) return { to: template, value: rec };
  if (!Array.isArray(rec) || rec.length !== 2) throw new IoError(`{key} in '${template}' needs pairs [key, value], not ${JSON.stringify(rec)}`);
  return { to: template.replaceAll('{key}', keyText(rec[0])), value: rec[1] };
}
