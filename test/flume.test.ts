// flume:// end to end, through bin/sluice: a real Flume 1.11 agent (sequence generator, memory
// channel, Avro sink) pushing into sluice, every event once; sluice killed mid-run and started again,
// Flume sending what it was not answered (at least once, nothing lost); and, with a Node Avro client,
// what an agent cannot be made to do: answers only after the sinks, --max-rate holding an answer
// back, FAILED at a stop, the handshake that asks for a protocol's text, clients of other protocols.

import { connect } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { events, FlumeClient, flumeAvailable, startAgent, type Agent } from './support/flume.ts';
import { freePort } from './support/ports.ts';
import { framed } from '../src/io/avro-ipc.ts';
import { FLUME_PROTOCOL } from '../src/io/sources/flume.ts';

const runs: ReturnType<typeof start>[] = [];
const agents: Agent[] = [];
const clients: FlumeClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const run of runs.splice(0)) run.child.kill('SIGKILL');
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

/** sluice reading flume://127.0.0.1:PORT into an append: file, -v; resolves once it runs batches (and so listens). */
async function serve(port: number, out: string, extra: string[] = [], query = '') {
  const run = start(['-i', `flume://127.0.0.1:${port}${query}`, '--batch', '200ms', '-v', ...extra, '-o', `append:${out}`]);
  runs.push(run);
  await eventually(() => /batch \d+:/.test(run.stderr()), 'sluice to run a batch');
  return run;
}

async function client(port: number, protocolText?: string): Promise<FlumeClient> {
  const c = await FlumeClient.connect(port, protocolText);
  clients.push(c);
  return c;
}

/** The records each batch took, from -v's `batch T: N in` lines. */
const perBatch = (stderr: string) => [...stderr.matchAll(/: (\d+) in,/g)].map((m) => Number(m[1]));

const sequence = (n: number) => Array.from({ length: n }, (_, i) => String(i));

describe('flume:// with a real Flume agent', () => {
  let available = false;
  beforeAll(() => {
    available = flumeAvailable();
  }, 300_000);

  it('takes every event the agent sends, once', async ({ skip }) => {
    if (!available) skip();
    const dir = tempDir();
    const out = join(dir, 'out');
    const port = await freePort();
    const run = await serve(port, out);
    const agent = startAgent(dir, { port, events: 20_000, batch: 1000 });
    agents.push(agent);
    await eventually(() => linesOf(out).length >= 20_000, 'every event', 60_000);
    await agent.stop();
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    // Flume drained its channel into sluice, never sending a call again
    expect(agent.log()).toMatch(/sink\.event\.drain\.sucess == 20000/);
    expect(agent.log()).not.toMatch(/Failed to send|Unable to deliver/);
    expect(linesOf(out).sort((a, b) => Number(a) - Number(b))).toEqual(sequence(20_000));
  }, 90_000);

  it("gives headers to expressions with ?meta=true, the body decoded by --parse", async ({ skip }) => {
    if (!available) skip();
    const dir = tempDir();
    const out = join(dir, 'out');
    const port = await freePort();
    await serve(port, out, ['--parse', 'json', '--map', 'x.headers.dc + " " + (x.body + 1)'], '?meta=true');
    agents.push(startAgent(dir, { port, events: 100, batch: 10, headers: { dc: 'eu' } }));
    await eventually(() => linesOf(out).length >= 100, 'every event', 60_000);
    expect(new Set(linesOf(out))).toEqual(new Set(sequence(100).map((n) => `eu ${Number(n) + 1}`)));
  }, 90_000);

  it("takes the calls of a sink whose compression-type is deflate, with ?compression=deflate", async ({ skip }) => {
    if (!available) skip();
    const dir = tempDir();
    const out = join(dir, 'out');
    const port = await freePort();
    const run = await serve(port, out, [], '?compression=deflate');
    const agent = startAgent(dir, { port, events: 5000, batch: 1000, deflate: true });
    agents.push(agent);
    await eventually(() => linesOf(out).length >= 5000, 'every event', 60_000);
    await agent.stop();
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect(linesOf(out).sort((a, b) => Number(a) - Number(b))).toEqual(sequence(5000));
  }, 90_000);

  it('loses nothing when sluice is killed mid-run: Flume sends again the call it was not answered', async ({ skip }) => {
    if (!available) skip();
    const dir = tempDir();
    const [first, second] = [join(dir, 'first'), join(dir, 'second')];
    const port = await freePort();
    // 400 events a batch: a call of 500 spans two batches, so a kill can fall inside one
    const one = await serve(port, first, ['--max-rate', '2000']);
    agents.push(startAgent(dir, { port, events: 20_000, batch: 500 }));
    // 2400 by then, most likely: the fifth call's first 400 events written, the call not answered
    await eventually(() => linesOf(first).length >= 2200, 'some batches to go through', 60_000);
    one.child.kill('SIGKILL');
    await one.done;
    expect(Math.max(...perBatch(one.stderr()))).toBeLessThanOrEqual(401);
    const before = linesOf(first).length;
    expect(before).toBeLessThan(20_000);
    await serve(port, second);
    const all = () => [...linesOf(first), ...linesOf(second)];
    await eventually(() => new Set(all()).size >= 20_000, 'every event again', 90_000);
    expect(new Set(all())).toEqual(new Set(sequence(20_000)));
    // at least once: what is doubled is at most the one call in flight when sluice died
    expect(all().length - 20_000).toBeLessThanOrEqual(500);
    expect(agents[0]!.log()).toMatch(/Failed to send batch|RPC connection error|Unable to deliver/);
  }, 150_000);
});

describe('flume:// with a Node Avro client', () => {
  it('answers a call only once the sinks have its events', async () => {
    const out = join(tempDir(), 'out');
    const port = await freePort();
    await serve(port, out);
    const c = await client(port);
    for (let i = 0; i < 3; i++) {
      expect(await c.appendBatch(events('e', i * 100, 100))).toBe('OK');
      expect(linesOf(out).length).toBe((i + 1) * 100);
    }
    expect(c.match).toBe('BOTH');
    expect(linesOf(out)).toEqual(events('e', 0, 300).map((e) => e.body.toString()));
  });

  it('holds an answer back while --max-rate holds its events back', async () => {
    const out = join(tempDir(), 'out');
    const port = await freePort();
    const run = await serve(port, out, ['--max-rate', '1000']);
    const c = await client(port);
    const t = performance.now();
    expect(await c.appendBatch(events('r', 0, 1000))).toBe('OK');
    // 200 a batch of 200 ms: five batches at least
    expect(performance.now() - t).toBeGreaterThanOrEqual(800);
    expect(linesOf(out).length).toBe(1000);
    expect(Math.max(...perBatch(run.stderr()))).toBeLessThanOrEqual(201);
  });

  it('answers FAILED to a call it could not take whole before a stop, so the client keeps its events', async () => {
    const out = join(tempDir(), 'out');
    const port = await freePort();
    const run = await serve(port, out, ['--max-rate', '100']);
    const c = await client(port);
    const answer = c.appendBatch(events('s', 0, 1000));
    await eventually(() => linesOf(out).length > 0, 'a batch with events');
    run.child.kill('SIGTERM');
    expect(await answer).toBe('FAILED');
    expect((await run.done).code).toBe(0);
  });

  it("asks a client whose protocol it does not know by its hash for the protocol's text, and takes Flume's", async () => {
    const out = join(tempDir(), 'out');
    const port = await freePort();
    await serve(port, out);
    // Flume's protocol as another Avro version might write it: the same on the wire, another hash
    const other = JSON.stringify({ ...JSON.parse(FLUME_PROTOCOL.text), doc: 'written elsewhere' });
    const c = await client(port, other);
    expect(await c.appendBatch(events('h', 0, 10))).toBe('OK');
    expect(c.match).toBe('CLIENT');
    expect(linesOf(out).length).toBe(10);
  });

  it('closes the connection of a client of another protocol with one line, and goes on', async () => {
    const out = join(tempDir(), 'out');
    const port = await freePort();
    const run = await serve(port, out);
    // an HTTP client
    const http = connect({ host: '127.0.0.1', port });
    http.on('error', () => {});
    http.end('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => http.once('close', resolve));
    // an Avro client of another protocol
    const mail = await client(port, JSON.stringify({ protocol: 'Mail', messages: { appendBatch: { request: [], response: 'string' } } }));
    await expect(mail.appendBatch(events('m', 0, 1))).rejects.toThrow(/closed/);
    // a Flume sink with compression-type deflate
    const compressed = connect({ host: '127.0.0.1', port });
    compressed.on('error', () => {});
    compressed.write(deflateSync(framed({ serial: 0, payload: Buffer.from('call') })));
    await new Promise((resolve) => compressed.once('close', resolve));
    const lines = run.stderr().split('\n').filter((l) => /does not speak/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^sluice: flume://127\\.0\\.0\\.1:${port}: 127\\.0\\.0\\.1:\\d+ does not speak Flume's Avro RPC \\(as the Avro sink does\\): a call of \\d+ frames; connection closed$`)),
      expect.stringMatching(/does not speak Flume's Avro RPC .*: its protocol "Mail" is not Flume's AvroSourceProtocol; connection closed$/),
      expect.stringMatching(/does not speak Flume's Avro RPC .*\(it looks compressed: give \?compression=deflate for a sink with compression-type deflate\); connection closed$/),
    ]);
    const c = await client(port);
    expect(await c.appendBatch(events('ok', 0, 5))).toBe('OK');
    expect(linesOf(out).length).toBe(5);
    expect(run.stderr()).not.toMatch(/error|at .*\.ts/);
  });

  it('refuses --once: Flume sends for as long as it runs', async () => {
    const r = await sluice(['--once', '-i', 'flume://127.0.0.1:4141']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("sluice: error: --once: flume://127.0.0.1:4141 is a live stream with no end to read up to; --once works with files, tail:, dir:, kafka:// and kinesis://");
  });
});
