// Faults and load: slow and failing sinks. Each test states the figures it holds.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, tempDir, type Result } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** A real HTTP server on 127.0.0.1 answering every POST with `answer` after its body has arrived. */
async function listen(answer: (body: string) => Promise<[number, string]>): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', async () => {
      const [status, text] = await answer(body);
      res.writeHead(status).end(text);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
}

/** Peak resident memory of a running process in MB (VmHWM), polled until it exits. */
function peakRss(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (kb) peak = Math.max(peak, kb / 1024);
    } catch {
      clearInterval(timer); // it has exited
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

const LINE = `${'event '.repeat(12)}\n`;

/** Write `lines` copies of LINE as fast as the pipe takes them, then end the input. */
async function produce(stdin: Writable, lines: number): Promise<void> {
  const block = LINE.repeat(10_000);
  for (let sent = 0; sent < lines; sent += 10_000) {
    if (!stdin.write(block)) await new Promise((r) => stdin.once('drain', r));
  }
  stdin.end();
}

const linesIn = (text: string) => text.split('\n').filter(Boolean).length;

/** Run sluice on `lines` lines from a producer as fast as the pipe: its result and its peak memory in MB. */
async function measured(args: string[], lines: number): Promise<Result & { peakMb: number }> {
  const { child, done } = start(args);
  const peak = peakRss(child.pid!);
  await produce(child.stdin!, lines);
  const r = await done;
  return { ...r, peakMb: peak() };
}

describe('a sink slower than the batch interval', () => {
  it('holds the fast producer back: every line of 110 MB arrives and memory stays under 256 MB', { timeout: 120_000 }, async () => {
    const LINES = 1_500_000;
    let received = 0;
    let posts = 0;
    const url = await listen(async (body) => {
      posts++;
      received += linesIn(body);
      await new Promise((r) => setTimeout(r, 500)); // 10x the batch interval
      return [200, 'ok'];
    });
    // sluice's pauses push back on the producer
    const { code, peakMb } = await measured(['-b', '50ms', '--map', 'x.toUpperCase()', '-o', url], LINES);
    expect(code).toBe(0);
    expect(received).toBe(LINES);
    expect(posts).toBeGreaterThan(1);
    expect(peakMb).toBeLessThan(256); // freed buffers wait for V8's next full collection: up to 64 MB of them
    console.log(`slow sink: ${LINES} lines in ${posts} POSTs of 0.5 s each, peak RSS ${peakMb.toFixed(0)} MB`);
  });
});

describe('one batch of 292 MB', () => {
  const LINES = 4_000_000;

  it('goes to an HTTP server in POSTs of at most ?max-bytes while it is read, in bounded memory', { timeout: 120_000 }, async () => {
    let received = 0;
    let largest = 0;
    const url = await listen(async (body) => {
      received += linesIn(body);
      largest = Math.max(largest, Buffer.byteLength(body));
      return [200, 'ok'];
    });
    const { code, peakMb } = await measured(['-b', '1h', '--map', 'x.toUpperCase()', '-o', url], LINES);
    expect(code).toBe(0);
    expect(received).toBe(LINES);
    expect(largest).toBeLessThanOrEqual(10_000_000);
    expect(largest).toBeGreaterThan(9_000_000);
    expect(peakMb).toBeLessThan(300); // the whole batch as one body took about 6 times the batch
    console.log(`one batch over HTTP: ${LINES} lines, largest POST ${largest} bytes, peak RSS ${peakMb.toFixed(0)} MB`);
  });

  it('goes to a TCP peer while it is read, in bounded memory', { timeout: 120_000 }, async () => {
    let bytes = 0;
    const peer = createTcpServer((socket) => socket.on('data', (d: Buffer) => (bytes += d.length)));
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    try {
      const { code, peakMb } = await measured(['-b', '1h', '--map', 'x.toUpperCase()', '-o', `tcp://127.0.0.1:${(peer.address() as AddressInfo).port}`], LINES);
      expect(code).toBe(0);
      await eventually(() => bytes === LINES * LINE.length, 'every byte at the peer');
      expect(peakMb).toBeLessThan(300);
      console.log(`one batch over TCP: ${bytes} bytes, peak RSS ${peakMb.toFixed(0)} MB`);
    } finally {
      peer.close();
    }
  });
});

describe('a sink that fails a batch', () => {
  it('fails the run by default, with the server reply', async () => {
    const url = await listen(async () => [400, 'no such tenant']);
    const { child, done } = start(['-o', url]);
    child.stdin!.end('a\nb\n');
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400.*no such tenant/);
  });

  it('with --on-error dlq: writes the batch records there with the error, and goes on', async () => {
    const url = await listen(async () => [400, 'no such tenant']);
    const dlq = join(tempDir(), 'dead.ndjson');
    const { child, done } = start(['-o', url, '--on-error', `dlq:${dlq}`]);
    child.stdin!.end('a\nb\n');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^sluice: ${url}: 400 Bad Request: no such tenant \\(batch \\d+: its 2 records are dead-lettered\\)\nsluice: 2 bad records written to ${dlq}\n$`));
    const letters = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(letters.map((l) => l.record)).toEqual(['a', 'b']);
    expect(letters[0].reason).toMatch(/400.*no such tenant/);
  });
});
