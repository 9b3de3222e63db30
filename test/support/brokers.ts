// The machine's own message brokers for the broker tests (Mosquitto, Redis, NATS with JetStream,
// RabbitMQ): each is used where it runs, started with the machine's own command where it is down,
// and skipped where it cannot be had, except under CI=true: there that is a failure.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { eventually } from './eventually.ts';

export interface Broker {
  name: string;
  port: number;
  /** The machine's command that starts it (see the machine's notes). */
  start: string[];
  /** How long it takes to accept connections once started. */
  upMs: number;
}

export const MOSQUITTO: Broker = { name: 'Mosquitto', port: 1883, start: ['mosquitto', '-d', '-c', '/etc/mosquitto/mosquitto.conf'], upMs: 10_000 };
export const REDIS: Broker = {
  name: 'Redis',
  port: 6379,
  start: ['redis-server', '--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'],
  upMs: 10_000,
};
export const NATS: Broker = {
  name: 'NATS',
  port: 4222,
  start: ['start-stop-daemon', '--start', '--oknodo', '--background', '--exec', '/usr/sbin/nats-server', '--', '-a', '127.0.0.1', '-p', '4222', '-js', '-sd', '/var/lib/nats-server', '-l', '/var/log/nats-server.log'],
  upMs: 15_000,
};
export const RABBITMQ: Broker = { name: 'RabbitMQ', port: 5672, start: ['rabbitmq-server', '-detached'], upMs: 60_000 };

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Whether `broker` is up, started if it was down; false (the tests skip) where it cannot be, outside CI. */
export async function brokerUp(broker: Broker): Promise<boolean> {
  if (await listening(broker.port)) return true;
  const r = spawnSync(broker.start[0]!, broker.start.slice(1), { stdio: 'ignore', timeout: 60_000 });
  let up = false;
  if (!r.error) {
    const deadline = Date.now() + broker.upMs;
    while (!(up = await listening(broker.port)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  }
  if (up) return true;
  const why = `${broker.name} is not listening on 127.0.0.1:${broker.port} and '${broker.start.join(' ')}' did not start it${r.error ? ` (${r.error.message})` : ''}`;
  if (process.env.CI) throw new Error(why);
  console.warn(`${why}\nskipping the ${broker.name} tests`);
  return false;
}

/** The pid of the process listening on `port` (for a restart of the broker). */
export function listenerPid(port: number): number {
  const out = execFileSync('ss', ['-Htlnp', `sport = :${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`nothing listens on port ${port}`);
  return Number(pid);
}

/** Stop `broker` (SIGTERM: it saves what it keeps) and start it again with the machine's command. */
export async function restartBroker(broker: Broker): Promise<void> {
  const pid = listenerPid(broker.port);
  process.kill(pid, 'SIGTERM');
  await eventually(() => !isAlive(pid), `${broker.name} to stop`, 30_000);
  execFileSync(broker.start[0]!, broker.start.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + broker.upMs;
  while (!(await listening(broker.port))) {
    if (Date.now() > deadline) throw new Error(`${broker.name} did not come back`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A topic, stream or queue name no other test (or earlier run against the same broker) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A JetStream stream `name` taking the subjects `name.>`. */
export async function jetStream(name: string): Promise<void> {
  const { connect } = await import('nats');
  const nc = await connect({ servers: '127.0.0.1:4222' });
  try {
    await (await nc.jetstreamManager()).streams.add({ name, subjects: [`${name}.>`] });
  } finally {
    await nc.close();
  }
}

/** Stop RabbitMQ's application and start it again (durable queues and persistent messages stay). */
export function restartRabbit(): void {
  execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'ignore' });
  execFileSync('rabbitmqctl', ['start_app'], { stdio: 'ignore' });
}
