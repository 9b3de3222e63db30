// A real Kafka broker for the kafka:// tests: scripts/kafka.sh starts it on a test port when a test
// file first asks for it, and this module, as a vitest globalSetup, stops it when the run that
// started it is over (not when some other run in the same tree ends). Where Java or Maven is
// missing the Kafka tests are skipped, except under CI=true: there that is a failure.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer } from '@platformatic/kafka';
import { ROOT, start } from './cli.ts';

export const KAFKA_PORT = 19092;
const SCRIPT = join(ROOT, 'scripts/kafka.sh');
/** Which test run started the broker: the pid of its vitest main process. */
const OWNER = join(ROOT, `.cache/kafka/test-run-${KAFKA_PORT}`);

/** Start a broker on `port` (a no-op when it is up); its address, or undefined where it cannot run. */
export function kafkaUp(port = KAFKA_PORT): string | undefined {
  const running = spawnSync('bash', [SCRIPT, 'status', String(port)]).status === 0;
  const r = spawnSync('bash', [SCRIPT, 'up', String(port)], { encoding: 'utf8', timeout: 240_000 });
  if (r.status === 0) {
    if (!running && port === KAFKA_PORT && process.env.SLUICE_TEST_RUN) writeFileSync(OWNER, process.env.SLUICE_TEST_RUN);
    return `127.0.0.1:${port}`;
  }
  const why = `the Kafka broker on port ${port} did not start: ${r.stderr?.trim() || r.error?.message}`;
  if (process.env.CI) throw new Error(why);
  console.warn(`${why}\nskipping the Kafka tests`);
  return undefined;
}

export function kafkaDown(port = KAFKA_PORT): void {
  spawnSync('bash', [SCRIPT, 'down', String(port)], { stdio: 'ignore', timeout: 60_000 });
}

/** vitest globalSetup: let test files know this run's id; after the run, stop the broker if it started it. */
export default function setup(): () => void {
  process.env.SLUICE_TEST_RUN = String(process.pid);
  return () => {
    let owner = '';
    try {
      owner = readFileSync(OWNER, 'utf8');
    } catch {}
    if (owner !== String(process.pid)) return;
    kafkaDown();
    rmSync(OWNER, { force: true });
  };
}

/** A topic name no other test (or earlier run against the same broker) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createTopic(broker: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: [broker] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** kcat, librdkafka's command-line client: the independent producer and reader of the tests. */
export function kcat(broker: string, args: string[], input?: string): string {
  const r = spawnSync('kcat', ['-b', broker, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kcat ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** Every message of `topic` so far, one line each in kcat's `-f` format. */
export function readTopic(broker: string, topic: string, format = '%s\\n'): string[] {
  return kcat(broker, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format])
    .split('\n')
    .filter((line) => line !== '');
}

/** Where each partition of `topic` ends, and how far `group` has committed on each. */
export async function groupProgress(broker: string, group: string, topic: string): Promise<{ ends: number[]; committed: number[] }> {
  const consumer = new Consumer({ clientId: 'sluice-test', groupId: 'sluice-test', bootstrapBrokers: [broker] });
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: [broker] });
  try {
    const ends = ((await consumer.listOffsets({ topics: [topic] })).get(topic) ?? []).map(Number);
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const committed = ends.map(() => 0);
    for (const p of offsets?.topics.find((t) => t.name === topic)?.partitions ?? []) committed[p.partitionIndex] = Math.max(0, Number(p.committedOffset));
    return { ends, committed };
  } finally {
    await consumer.close();
    await admin.close();
  }
}

/** The group's state (Stable once a rebalance is over) and its number of members. */
export async function groupState(broker: string, group: string): Promise<{ state: string; members: number }> {
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: [broker] });
  try {
    const g = (await admin.describeGroups({ groups: [group] })).get(group);
    return { state: g?.state ?? 'Dead', members: g?.members.size ?? 0 };
  } finally {
    await admin.close();
  }
}

/** Poll `check` every 100 ms until it holds; fails with `what` after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** sluice started in the background on `input` (none: stdin closed at once), its output readable as it runs. */
export function watch(args: string[], input = '', env?: Record<string, string>) {
  const run = start(args, { env });
  let out = '';
  let err = '';
  run.child.stdout!.on('data', (d: Buffer) => (out += d));
  run.child.stderr!.on('data', (d: Buffer) => (err += d));
  run.child.stdin!.on('error', () => {});
  run.child.stdin!.end(input);
  return { ...run, out: () => out, err: () => err };
}
