// What the message-broker sources and sinks share (mqtt://, nats://, nats+js://, amqp://, redis://):
// HOST[:PORT]/NAME with a default port and optional credentials, and their client libraries, each
// loaded when its scheme is first used so that every other run of sluice starts without them.

import { UsageError } from '../core/errors.ts';
import { redactedUri as redact } from './uri.ts';

export interface BrokerTarget {
  host: string;
  port: number;
  /** What follows the first '/' after the address, as written (an MQTT filter keeps its '#'). */
  name: string;
  user?: string;
  password?: string;
}

/** `[USER[:PASS]@]HOST[:PORT][/NAME]`; `example` shows the whole form in the message for a bad one. */
export function brokerTarget(rest: string, uri: string, defaultPort: number, example: string): BrokerTarget {
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const name = slash < 0 ? '' : rest.slice(slash + 1);
  let url: URL;
  try {
    url = new URL(`x://${authority}`);
  } catch {
    throw new UsageError(`${redact(uri)}: expected ${example}`);
  }
  const port = url.port ? Number(url.port) : defaultPort;
  if (!url.hostname || url.pathname !== '' || url.search || url.hash) throw new UsageError(`${redact(uri)}: expected ${example}`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    name,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/** The name part, required: `what` says what it names (a queue, a stream). */
export function requireName(target: BrokerTarget, uri: string, what: string, example: string): string {
  if (!target.name) throw new UsageError(`${redact(uri)}: no ${what}; expected ${example}`);
  return target.name;
}

/** Retries while a broker is unreachable: one that comes back is noticed within seconds. */
export const BROKER_RETRY = { baseMs: 200, maxMs: 5000 };

export const mqttClient = () => import('mqtt');
export const natsClient = () => import('nats');
export const amqpClient = () => import('amqplib');
export const redisClient = async () => (await import('ioredis')).Redis;
