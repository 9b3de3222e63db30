// The ZeroMQ sources and sinks end to end: bin/sluice against real ZeroMQ peers (test/support/zmq-peer.ts,
// a process with the zeromq package): every message a PUSH peer sends counted once, topic filtering
// on a bound SUB, the PUB and PUSH sinks read by SUB and PULL peers, --max-rate holding a PUSH peer
// back without loss, a frame that is not text as a bad record, and the messages for bad URIs.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

const PEER = join(ROOT, 'test/support/zmq-peer.ts');

interface Peer {
  child: ChildProcess;
  out: () => string[];
  err: () => string;
}

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A ZeroMQ peer process (see zmq-peer.ts for its arguments); resolves once it is bound or connecting. */
async function peer(...args: string[]): Promise<Peer> {
  const child = spawn(process.execPath, [PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await eventually(() => err.includes('ready') || child.exitCode !== null, 'the peer to start');
  expect(child.exitCode, err).toBeNull();
  return { child, out: () => out.split('\n').slice(0, -1), err: () => err };
}

/** sluice reading `uri` into an append: file (a TERM at the end of each test stops it; afterEach kills what is left). */
function reader(uri: string, out: string, extra: string[] = []) {
  const run = start(['-i', uri, '--batch', '200ms', ...extra, '-o', `append:${out}`]);
  started.push(run.child);
  return run;
}

const expectNumbered = (lines: string[], tag: string, n: number) => expect(lines).toEqual(numbered(tag, 0, n).trimEnd().split('\n'));

describe('zmq+pull:// and zmq+sub://', () => {
  it('counts every message a PUSH peer sends, once and in order', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'out');
    const pusher = await peer('push', `tcp://127.0.0.1:${port}`, '--bind', '--count', '20000');
    const run = reader(`zmq+pull://127.0.0.1:${port}`, out);
    await eventually(() => linesOf(out).length >= 20000, 'every message', 20_000);
    expect(pusher.err()).toContain('sent');
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expectNumbered(linesOf(out), 'm', 20000);
  });

  it('takes only the subscribed topic on a bound SUB, the first frame as x.topic with ?meta=true', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'out');
    const run = reader(`zmq+sub://127.0.0.1:${port}?bind=true&topic=news&meta=true`, out, ['--map', '`${x.topic}|${x.value}`']);
    // both publishers wait for the subscription; the one of another topic sends too, and none of it comes
    const news = await peer('pub', `tcp://127.0.0.1:${port}`, '--topic', 'news', '--tag', 'n', '--count', '3000');
    const sport = await peer('pub', `tcp://127.0.0.1:${port}`, '--topic', 'sport', '--tag', 's', '--count', '3000');
    await eventually(() => linesOf(out).length >= 3000 && /sent/.test(sport.err()), 'the subscribed messages', 20_000);
    expect(news.err()).toContain('sent');
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect(linesOf(out)).toEqual(numbered('n', 0, 3000).trimEnd().split('\n').map((l) => `news|${l}`));
  });

  it('under --max-rate stops receiving, so that a PUSH peer waits and nothing is lost', async () => {
    const port = await freePort();
    const dir = tempDir();
    const out = join(dir, 'out');
    await peer('push', `tcp://127.0.0.1:${port}`, '--bind', '--count', '3000');
    const run = reader(`zmq+pull://127.0.0.1:${port}?hwm=10`, out, ['--max-rate', '2000', '-v']);
    await eventually(() => linesOf(out).length >= 3000, 'every message', 20_000);
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expectNumbered(linesOf(out), 'm', 3000);
    // a batch of 200 ms takes at most 400 at 2000 a second (one more at most, taken as the cap was reached)
    const counts = [...run.stderr().matchAll(/: (\d+) in,/g)].map((m) => Number(m[1]));
    expect(Math.max(...counts)).toBeLessThanOrEqual(401);
  });

  it('makes a frame that is not UTF-8 a bad record, and goes on with the next', async () => {
    const port = await freePort();
    const dir = tempDir();
    const out = join(dir, 'out');
    await peer('push', `tcp://127.0.0.1:${port}`, '--bind', '--raw', '61ff62', '--count', '3');
    const run = reader(`zmq+pull://127.0.0.1:${port}`, out, ['--on-error', `dlq:${join(dir, 'dlq')}`]);
    await eventually(() => linesOf(out).length >= 3, 'the good messages');
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expectNumbered(linesOf(out), 'm', 3);
    const [bad] = readFileSync(join(dir, 'dlq'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { where: string; reason: string });
    expect(bad).toMatchObject({ where: `zmq+pull://127.0.0.1:${port}`, reason: 'a frame of 3 bytes that is not UTF-8 text (--encoding latin1 takes any bytes)' });

    // by default it fails the run, in one line; with --encoding latin1 it is text
    const port2 = await freePort();
    await peer('push', `tcp://127.0.0.1:${port2}`, '--bind', '--raw', '61ff62', '--count', '1');
    const failed = start(['-i', `zmq+pull://127.0.0.1:${port2}`]);
    started.push(failed.child);
    const r = await failed.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^sluice: error: zmq\\+pull://127.0.0.1:${port2}: a frame of 3 bytes that is not UTF-8 text`, 'm'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says once that it cannot reach the peer, and stops on a signal', async () => {
    const port = await freePort();
    const run = start(['-i', `zmq+pull://127.0.0.1:${port}`]);
    started.push(run.child);
    await eventually(() => /cannot reach the peer at 127.0.0.1:\d+; ZeroMQ retries with backoff until it is up/.test(run.stderr()), 'the note');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr.match(/cannot reach/g)).toHaveLength(1);
  });
});

describe('zmq+push:// and zmq+pub://', () => {
  it('sends every record to a PULL peer, a first frame with ?topic= ({key}: the pair key)', async () => {
    const port = await freePort();
    const puller = await peer('pull', `tcp://127.0.0.1:${port}`, '--bind');
    const r = await sluice(['-b', '200ms', '-o', `zmq+push://127.0.0.1:${port}`], numbered('p', 0, 20000));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await eventually(() => puller.out().length >= 20000, 'every record', 20_000);
    expectNumbered(puller.out(), 'p', 20000);
    const keyed = await sluice(['--map', '[x % 2 ? "odd" : "even", x]', '-o', `zmq+push://127.0.0.1:${port}?topic=n.{key}`], '1\n2\n3\n');
    expect(keyed.code).toBe(0);
    await eventually(() => puller.out().length >= 20003, 'the keyed records');
    expect(puller.out().slice(20000)).toEqual(['n.odd 1', 'n.even 2', 'n.odd 3']);
  });

  it('publishes every record to a SUB peer that subscribed before (?hwm= above the batch: none dropped)', async () => {
    const port = await freePort();
    const sub = await peer('sub', `tcp://127.0.0.1:${port}`, '--bind', '--topic', 'logs');
    const run = start(['-b', '100ms', '-o', `zmq+pub://127.0.0.1:${port}?topic=logs&hwm=100000`]);
    started.push(run.child);
    // PUB drops what comes before a subscriber is there: probes until one arrives, then the records
    const probing = setInterval(() => run.child.stdin!.write('probe\n'), 50);
    try {
      await eventually(() => sub.out().includes('logs probe'), 'a probe to arrive');
    } finally {
      clearInterval(probing);
    }
    run.child.stdin!.end(numbered('s', 0, 20000));
    expect((await run.done).code).toBe(0);
    await eventually(() => sub.out().filter((l) => l !== 'logs probe').length >= 20000, 'every record', 20_000);
    expect(sub.out().filter((l) => l !== 'logs probe')).toEqual(numbered('s', 0, 20000).trimEnd().split('\n').map((l) => `logs ${l}`));
  });
});

describe('ZeroMQ URIs that cannot work', () => {
  it('are refused in one line naming the URI', async () => {
    const usage = [
      [['-i', 'zmq+pull://127.0.0.1'], /^sluice: error: --in: zmq\+pull:\/\/127\.0\.0\.1: expected HOST:PORT/],
      [['-i', 'zmq+sub://127.0.0.1:5555/x?topc=a'], /unknown option 'topc' \(did you mean 'topic'\?\); nothing may follow HOST:PORT/],
      [['-o', 'zmq+pub://127.0.0.1:5555?hwm=0'], /hwm/],
      [['-i', 'zmq+pull://127.0.0.1:5555', '--once'], /--once: zmq\+pull:\/\/127\.0\.0\.1:5555 is a live stream with no end to read up to/],
    ] as const;
    for (const [args, message] of usage) {
      const r = await sluice([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const nowhere = await sluice(['-i', 'zmq+pull://no-such-host.invalid:5555']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toBe("sluice: error: zmq+pull://no-such-host.invalid:5555: host 'no-such-host.invalid' not found: the name does not resolve (check the host in the URI)\n");
    const sinkNowhere = await sluice(['-o', 'zmq+push://no-such-host.invalid:5555'], 'a\n');
    expect(sinkNowhere.code).toBe(1);
    expect(sinkNowhere.stderr).toBe("sluice: error: zmq+push://no-such-host.invalid:5555: host 'no-such-host.invalid' not found: the name does not resolve (check the host in the URI)\n");
    // a bound peer holds the port
    const port = await freePort();
    await peer('pull', `tcp://127.0.0.1:${port}`, '--bind');
    const taken = await sluice(['-i', `zmq+pull://127.0.0.1:${port}?bind=true`]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(`sluice: error: zmq+pull://127.0.0.1:${port}?bind=true: cannot bind 127.0.0.1:${port}: Address already in use\n`);
  });
});
