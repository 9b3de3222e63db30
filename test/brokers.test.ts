// The broker sources and sinks end to end, through bin/sluice against the machine's real brokers:
// records in = records out (sluice's sink feeding sluice's source), a consumer killed with SIGKILL
// mid-run that is given again what it had not acknowledged (at least once, nothing lost), and a
// broker that goes away mid-run (restarted, or its connections cut) with nothing lost.

import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';
import { brokerUp, MOSQUITTO, REDIS, restartBroker, uniqueName, type Broker } from './support/brokers.ts';
import { execFileSync } from 'node:child_process';

type Run = ReturnType<typeof start> & { stderr: () => string };

const running: Run[] = [];

afterEach(() => {
  for (const run of running.splice(0)) run.child.kill('SIGKILL');
});

/** A consumer reading `uri` into an append: file, with per-batch stats on stderr. */
function consume(uri: string, out: string, extra: string[] = []): Run {
  const run = start(['-i', uri, '--batch', '500ms', '-v', ...extra, '-o', `append:${out}`]);
  let stderr = '';
  run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const r = { ...run, stderr: () => stderr };
  running.push(r);
  return r;
}

/** The consumer has run a batch: it is connected and subscribed. */
const ready = (run: Run) => eventually(() => /batch \d+:/.test(run.stderr()), 'the consumer to run a batch');

/** `n` numbered lines through sluice into `uri`; resolves once sluice has delivered them all. */
async function produce(uri: string, tag: string, n: number, from = 0): Promise<void> {
  const r = await sluice(['--batch', '200ms', '-o', uri], numbered(tag, from, n));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

function expectAll(lines: string[], tag: string, n: number): void {
  expect(new Set(lines)).toEqual(new Set(numbered(tag, 0, n).trimEnd().split('\n')));
}

/** The three checks every acknowledged source goes through; `source(name, id)` names one, `sink(name)` its sink. */
function atLeastOnce(broker: Broker, source: (name: string, id: string) => string, sink: (name: string) => string, goAway: () => Promise<void>, what: string) {
  let up = false;
  beforeAll(async () => {
    up = await brokerUp(broker);
  }, 90_000);

  it('delivers every record that the sink wrote, once', async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('in-out');
    const out = join(tempDir(), 'out');
    const reader = consume(source(name, uniqueName('c')), out);
    await ready(reader);
    await produce(sink(name), 'm', 5000);
    await eventually(() => linesOf(out).length >= 5000, 'every record', 20_000);
    reader.child.kill('SIGTERM');
    expect((await reader.done).code).toBe(0);
    expect(linesOf(out).length).toBe(5000);
    expectAll(linesOf(out), 'm', 5000);
  });

  it('gives a consumer killed with SIGKILL mid-run what it had not acknowledged, losing nothing', async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('kill');
    const id = uniqueName('c');
    const dir = tempDir();
    const first = consume(source(name, id), join(dir, 'first'), ['--max-rate', '4000']);
    await ready(first);
    await produce(sink(name), 'k', 20_000);
    // killed once some batches are through and while most of the messages still wait
    await eventually(() => linesOf(join(dir, 'first')).length > 0, 'a batch to go through');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const before = linesOf(join(dir, 'first')).length;
    expect(before).toBeLessThan(20_000);
    const second = consume(source(name, id), join(dir, 'second'));
    await eventually(() => new Set([...linesOf(join(dir, 'first')), ...linesOf(join(dir, 'second'))]).size >= 20_000, 'every record again', 30_000);
    second.child.kill('SIGTERM');
    await second.done;
    expectAll([...linesOf(join(dir, 'first')), ...linesOf(join(dir, 'second'))], 'k', 20_000);
    expect(linesOf(join(dir, 'second')).length).toBeGreaterThanOrEqual(20_000 - before);
  }, 60_000);

  it(`loses nothing when ${what} mid-run`, async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('away');
    const out = join(tempDir(), 'out');
    const reader = consume(source(name, uniqueName('c')), out);
    await ready(reader);
    await produce(sink(name), 'a', 2000);
    await eventually(() => linesOf(out).length >= 2000, 'the first records');
    await goAway();
    // once back, the consumer says so (an MQTT broker keeps only a bounded queue for a session away)
    await eventually(() => /connected/.test(reader.stderr()), 'the consumer to reconnect', 30_000);
    await produce(sink(name), 'a', 2000, 2000);
    await eventually(() => new Set(linesOf(out)).size >= 4000, 'the records after', 30_000);
    reader.child.kill('SIGTERM');
    expect((await reader.done).code).toBe(0);
    expectAll(linesOf(out), 'a', 4000);
  }, 90_000);
}

describe('mqtt://', () => {
  atLeastOnce(
    MOSQUITTO,
    (topic, id) => `mqtt://127.0.0.1:1883/${topic}/#?client-id=${id}`,
    (topic) => `mqtt://127.0.0.1:1883/${topic}/x`,
    () => restartBroker(MOSQUITTO),
    'Mosquitto restarts',
  );

  it('puts a pair\'s key in the topic', async ({ skip }) => {
    if (!(await brokerUp(MOSQUITTO))) skip();
    const topic = uniqueName('keyed');
    const out = join(tempDir(), 'out');
    const reader = consume(`mqtt://127.0.0.1/${topic}/+`, out, ['--parse', 'json']);
    await ready(reader);
    const r = await sluice(['--parse', 'json', '--key-by', 'x.room', '-o', `mqtt://127.0.0.1?topic=${topic}/{key}`, '--format', 'json'], '{"room":"a","t":1}\n{"room":"b","t":2}\n');
    expect(r.stderr).toBe('');
    await eventually(() => linesOf(out).length === 2, 'both messages');
    expect(linesOf(out).sort()).toEqual(['{"room":"a","t":1}', '{"room":"b","t":2}']);
  });
});

describe('redis://', () => {
  atLeastOnce(
    REDIS,
    (stream, id) => `redis://127.0.0.1:6379/${stream}?group=g&consumer=${id}`,
    (stream) => `redis://127.0.0.1:6379/${stream}`,
    // Redis here keeps nothing on disk: a restart would lose the stream itself, so its connections are cut instead
    async () => void execFileSync('redis-cli', ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']),
    "the server cuts sluice's connections",
  );
});
