// The broker sources and sinks end to end, through bin/sluice against the machine's real brokers:
// records in = records out (sluice's sink feeding sluice's source), a consumer killed with SIGKILL
// mid-run that is given again what it had not acknowledged (at least once, nothing lost), and a
// broker that goes away mid-run (restarted, or its connections cut) with nothing lost.

import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { freePort } from './support/ports.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';
import { brokerUp, jetStream, MOSQUITTO, NATS, RABBITMQ, REDIS, restartBroker, restartRabbit, uniqueName, type Broker } from './support/brokers.ts';

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
function atLeastOnce(broker: Broker, source: (name: string, id: string) => string, sink: (name: string) => string, goAway: () => Promise<void>, what: string, prepare: (name: string) => Promise<void> = async () => {}) {
  let up = false;
  beforeAll(async () => {
    up = await brokerUp(broker);
  }, 90_000);

  it('delivers every record that the sink wrote, once', async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('in-out');
    await prepare(name);
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
    await prepare(name);
    const id = uniqueName('c');
    const dir = tempDir();
    // slow enough that the sink's 20,000 are not all read before the kill (at 1,000 a second, a loaded
    // CI run's sink took as long as the consumer, which then had them all)
    const first = consume(source(name, id), join(dir, 'first'), ['--max-rate', '200']);
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

  it('holds each batch to --max-rate, however many messages wait', async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('rate');
    await prepare(name);
    const out = join(tempDir(), 'out');
    // 500 ms batches at 1,000 a second: 500 a batch, and one more at most (the one that spends the budget)
    const reader = consume(source(name, uniqueName('c')), out, ['--max-rate', '1000']);
    await ready(reader);
    await produce(sink(name), 'r', 3000);
    await eventually(() => linesOf(out).length >= 3000, 'every record', 30_000);
    const sizes = [...reader.stderr().matchAll(/batch \d+: (\d+) in/g)].map((m) => Number(m[1]));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(501);
    expectAll(linesOf(out), 'r', 3000);
  }, 60_000);

  it(`loses nothing when ${what} mid-run`, async ({ skip }) => {
    if (!up) skip();
    const name = uniqueName('away');
    await prepare(name);
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

  it('claims the entries a killed member left pending, under another name', async ({ skip }) => {
    if (!(await brokerUp(REDIS))) skip();
    const stream = uniqueName('claim');
    const dir = tempDir();
    const first = consume(`redis://127.0.0.1/${stream}?group=g&consumer=a`, join(dir, 'a'), ['--max-rate', '2000']);
    await ready(first);
    await produce(`redis://127.0.0.1/${stream}`, 'c', 10_000);
    await eventually(() => linesOf(join(dir, 'a')).length > 0, 'a batch to go through');
    first.child.kill('SIGKILL');
    await first.done;
    const second = consume(`redis://127.0.0.1/${stream}?group=g&consumer=b&claim-idle=1s`, join(dir, 'b'));
    await eventually(() => new Set([...linesOf(join(dir, 'a')), ...linesOf(join(dir, 'b'))]).size >= 10_000, 'every entry', 30_000);
    // what the killed member wrote but had not acknowledged is claimed too, once idle, and acknowledged
    const pending = () => execFileSync('redis-cli', ['XPENDING', stream, 'g'], { encoding: 'utf8' }).split('\n')[0];
    await eventually(() => pending() === '0', 'nothing pending', 10_000);
    second.child.kill('SIGTERM');
    await second.done;
    expectAll([...linesOf(join(dir, 'a')), ...linesOf(join(dir, 'b'))], 'c', 10_000);
  }, 60_000);
});

describe('nats+js://', () => {
  atLeastOnce(
    NATS,
    // redelivered after the ack wait: short here, so that the test does not wait 30 s
    (stream, id) => `nats+js://127.0.0.1:4222/${stream}?durable=${id}&ack-wait=3s`,
    (stream) => `nats+js://127.0.0.1:4222/${stream}.x`,
    () => restartBroker(NATS),
    'the NATS server restarts',
    jetStream,
  );
});

describe('nats://', () => {
  it('reads a core subscription live: records in = records out', async ({ skip }) => {
    if (!(await brokerUp(NATS))) skip();
    const subject = uniqueName('core');
    const out = join(tempDir(), 'out');
    const reader = consume(`nats://127.0.0.1/${subject}.>`, out);
    await ready(reader);
    const r = await sluice(['--map', '[x.split(" ")[0], x]', '-o', `nats://127.0.0.1/${subject}.{key}`], numbered('n', 0, 5000));
    expect(r.stderr).toBe('');
    await eventually(() => linesOf(out).length >= 5000, 'every record');
    reader.child.kill('SIGTERM');
    await reader.done;
    expectAll(linesOf(out), 'n', 5000);
  });
});

describe('amqp://', () => {
  atLeastOnce(
    RABBITMQ,
    (queue) => `amqp://guest:guest@127.0.0.1:5672/${queue}`,
    (queue) => `amqp://guest:guest@127.0.0.1:5672/${queue}`,
    async () => restartRabbit(),
    'RabbitMQ restarts',
  );

  it('never shows the password in a message', async ({ skip }) => {
    if (!(await brokerUp(RABBITMQ))) skip();
    const r = await sluice(['-i', 'amqp://guest:s3cret@127.0.0.1/q?prefetch=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('amqp://guest:***@127.0.0.1/q');
    expect(r.stderr).not.toContain('s3cret');
  });
});

describe('syslog', () => {
  it('receives RFC 5424 and RFC 3164 messages over UDP and TCP, both framings, and --parse syslog takes them apart', async () => {
    const port = await freePort();
    const dir = tempDir();
    const udp = consume(`syslog+udp://127.0.0.1:${port}`, join(dir, 'udp'), ['--parse', 'syslog', '--map', 'x.appName + " " + x.severity + " " + x.message']);
    const tcp = consume(`syslog+tcp://127.0.0.1:${port}`, join(dir, 'tcp'), ['--parse', 'syslog', '--map', 'x.appName + " " + x.severity + " " + x.message']);
    await Promise.all([ready(udp), ready(tcp)]);
    // logger(1), util-linux's client, as a system would send them
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(port), '-d', '--rfc5424', '-t', 'app', '-p', 'user.err', 'over udp']);
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(port), '-T', '--octet-count', '--rfc5424', '-t', 'app', '-p', 'user.warning', 'counted']);
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(port), '-T', '--rfc3164', '-t', 'old', '-p', 'user.info', 'framed by newline']);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.send('<13>Oct 11 22:14:15 host su[1]: by hand', port, '127.0.0.1', () => resolve()));
    sock.close();
    await eventually(() => linesOf(join(dir, 'udp')).length === 2 && linesOf(join(dir, 'tcp')).length === 2, 'the messages');
    expect(linesOf(join(dir, 'udp')).sort()).toEqual(['app 3 over udp', 'su 5 by hand']);
    expect(linesOf(join(dir, 'tcp')).sort()).toEqual(['app 4 counted', 'old 6 framed by newline']);
  });

  it('receives many octet-counted messages on one connection, records in = records out', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'out');
    const reader = consume(`syslog+tcp://127.0.0.1:${port}`, out, ['--parse', 'syslog', '--map', 'x.message']);
    await ready(reader);
    const lines = numbered('s', 0, 20_000).trimEnd().split('\n');
    const socket = connect(port, '127.0.0.1');
    for (const line of lines) {
      const msg = `<14>1 2026-12-03T00:00:00Z h app - - - ${line}`;
      socket.write(`${Buffer.byteLength(msg)} ${msg}`);
    }
    await new Promise<void>((resolve) => socket.end(resolve));
    await eventually(() => linesOf(out).length >= 20_000, 'every message');
    expect(linesOf(out)).toEqual(lines);
  });
});
