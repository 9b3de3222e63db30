// Faults and load: slow and failing sinks. Each test states the figures it holds.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, tempDir } from './support/cli.ts';

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

describe('a sink slower than the batch interval', () => {
  it('holds the fast producer back: every line of 110 MB arrives and memory stays under 200 MB', { timeout: 120_000 }, async () => {
    const LINES = 1_500_000;
    let received = 0;
    let posts = 0;
    const url = await listen(async (body) => {
      posts++;
      received += body.split('\n').filter(Boolean).length;
      await new Promise((r) => setTimeout(r, 500)); // 10x the batch interval
      return [200, 'ok'];
    });
    const { child, done } = start(['-b', '50ms', '--map', 'x.toUpperCase()', '-o', url]);
    const peak = peakRss(child.pid!);
    const line = `${'event '.repeat(12)}\n`;
    // the producer writes as fast as the pipe takes it; sluice's pauses push back on it
    for (let sent = 0; sent < LINES; sent += 10_000) {
      if (!child.stdin!.write(line.repeat(10_000))) await new Promise((r) => child.stdin!.once('drain', r));
    }
    child.stdin!.end();
    const r = await done;
    const peakMb = peak();
    expect(r.code).toBe(0);
    expect(received).toBe(LINES);
    expect(posts).toBeGreaterThan(1);
    expect(peakMb).toBeLessThan(200);
    console.log(`slow sink: ${LINES} lines in ${posts} POSTs of 0.5 s each, peak RSS ${peakMb.toFixed(0)} MB`);
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
