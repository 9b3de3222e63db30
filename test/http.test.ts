// http(s):// sink and http-listen:// source end to end: a real local HTTP server that fails,
// stalls and rate-limits on purpose, and real clients posting to sluice; lines in = lines out.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, start } from './support/cli.ts';
import { eventually, numbered } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

const lines = (text: string) => text.split('\n').filter(Boolean);
const servers: { close(): unknown }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

type Plan = 'ok' | '503' | '429' | 'stall' | '400';

/** A server that answers each POST as planned (then 200), keeping the bodies it accepted. */
async function endpoint(plan: Plan[]) {
  const accepted: { body: string; headers: IncomingMessage['headers'] }[] = [];
  const requests: { at: number; answer: Plan }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const answer = plan.shift() ?? 'ok';
      requests.push({ at: Date.now(), answer });
      if (answer === 'stall') return; // never answers: the client must time out and retry
      if (answer === '503') return res.writeHead(503).end('overloaded\n');
      if (answer === '429') return res.writeHead(429, { 'Retry-After': '1' }).end('slow down\n');
      if (answer === '400') return res.writeHead(400).end('field "x" is not allowed\n');
      accepted.push({ body, headers: req.headers });
      res.writeHead(200).end('ok\n');
    });
  });
  servers.push({ close: () => (server.closeAllConnections(), server.close()) });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { url: `http://127.0.0.1:${port}/ingest`, accepted, requests };
}

describe('http:// sink', () => {
  it('retries 5xx, stalls and 429 (after its Retry-After) until each batch is delivered once', async () => {
    const server = await endpoint(['503', 'stall', '429', '503']);
    const input = numbered('event', 0, 3000);
    const r = await sluice(['-b', '1h', '-o', `${server.url}?timeout=300ms`], input);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ingest\?timeout=300ms: 503 Service Unavailable: overloaded; retrying in/);
    expect(r.stderr).toMatch(/ingest\?timeout=300ms: no reply within 300 ms; retrying in/);
    expect(r.stderr).toMatch(/ingest\?timeout=300ms: 429 Too Many Requests: slow down; retrying in 1\.0s/);
    expect(r.stderr).toMatch(/delivered after 5 attempts/);
    expect(server.requests.map((q) => q.answer)).toEqual(['503', 'stall', '429', '503', 'ok']);
    const after429 = server.requests[3]!.at - server.requests[2]!.at;
    expect(after429).toBeGreaterThanOrEqual(950);
    expect(server.accepted).toHaveLength(1);
    expect(server.accepted[0]!.headers['content-type']).toBe('application/x-ndjson');
    expect(server.accepted[0]!.body).toBe(input);
  });

  it('posts one request per batch, with headers from the environment, as a JSON array if asked', async () => {
    const server = await endpoint([]);
    const { child, done } = start(['-b', '50ms', '--parse', 'json', '-o', `${server.url}?body=array&header=Authorization:Bearer \${TOKEN}&header=X-Source:test`], {
      env: { TOKEN: 'sekrit' },
    });
    const sent: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => ({ n: i * 10 + j }));
      sent.push(...batch);
      child.stdin!.write(batch.map((x) => JSON.stringify(x)).join('\n') + '\n');
      await eventually(() => server.accepted.flatMap((a) => JSON.parse(a.body)).length === sent.length, `batch ${i}`);
    }
    child.stdin!.end();
    expect((await done).code).toBe(0);
    expect(server.accepted.length).toBeGreaterThanOrEqual(5);
    expect(server.accepted.flatMap((a) => JSON.parse(a.body))).toEqual(sent);
    for (const { headers } of server.accepted) {
      expect(headers.authorization).toBe('Bearer sekrit');
      expect(headers['x-source']).toBe('test');
      expect(headers['content-type']).toBe('application/json');
    }
  });

  it('fails the batch on a 4xx other than 429, with the reply in the message', async () => {
    const server = await endpoint(['400']);
    const r = await sluice(['-b', '1h', '-o', server.url], 'a\nb\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ingest: 400 Bad Request: field "x" is not allowed/);
    expect(server.accepted).toHaveLength(0);
  });

  it('gives up after ?retries=N, and never shows the secrets it puts in headers', async () => {
    const port = await freePort(); // nobody listens
    const uri = `http://127.0.0.1:${port}/x?retries=2&header=Authorization:Bearer \${TOKEN}`;
    const r = await sluice(['-b', '1h', '-o', uri], 'a\n', { env: { TOKEN: 'hunter2' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED.*\(gave up after 3 attempts\)/);
    expect(r.stderr).not.toMatch(/hunter2/);
  });

  it('refuses a header whose environment variable is not set', async () => {
    const r = await sluice(['-o', 'http://127.0.0.1:9/x?header=Authorization:Bearer ${NOT_SET_ANYWHERE}'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/header Authorization: environment variable NOT_SET_ANYWHERE is not set/);
  });
});

describe('http-listen:// source', () => {
  /** Resolves once sluice answers at `url` (a GET is refused with 405). */
  const listening = async (url: string) => {
    let up = false;
    await eventually(() => {
      fetch(url, { method: 'GET' }).then((r) => (up = r.status === 405), () => {});
      return up;
    }, 'sluice listening');
  };
  const post = (url: string, body: string) => fetch(url, { method: 'POST', body }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after') }));

  it('takes POSTed lines and NDJSON from many senders; other paths and methods are refused', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const { child, done } = start(['-b', '100ms', '-i', `http-listen://127.0.0.1:${port}/hook`]);
    await listening(url);
    expect((await post(`http://127.0.0.1:${port}/other`, 'x\n')).status).toBe(404);
    const bodies = Array.from({ length: 40 }, (_, i) => numbered(`sender${i}`, 0, 250));
    const input = bodies.join('');
    const answers = await Promise.all(bodies.map((b, i) => post(url, i % 2 ? b : b.trimEnd())));
    expect(answers.every((a) => a.status === 204)).toBe(true);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(lines(r.stdout).sort()).toEqual(lines(input).sort());
  });

  it('takes nothing of a request cut short (answered 400): a sender that retries it duplicates nothing', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const { child, done } = start(['-b', '100ms', '-i', `http-listen://127.0.0.1:${port}/hook`]);
    await listening(url);
    /** Send `raw` on a connection, half-close it, and resolve with all that came back. */
    const send = (raw: string) =>
      new Promise<string>((resolve, reject) => {
        let reply = '';
        const socket = connect(port, '127.0.0.1', () => socket.end(raw));
        socket.setEncoding('utf8').on('data', (d: string) => (reply += d));
        socket.on('close', () => resolve(reply)).on('error', reject);
      });
    const head = 'POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n';
    const cut = numbered('cut', 0, 20); // 120 bytes
    const replies = [
      await send(`${head}Content-Length: 1000\r\n\r\n${cut}`), // a short body
      await send(`${head}Transfer-Encoding: chunked\r\n\r\n${cut.length.toString(16)}\r\n${cut}\r\n`), // no last chunk
      await send(`${head}Transfer-Encoding: chunked\r\n\r\n${cut.length.toString(16)}\r\n${cut}\r\nzz\r\n`), // a broken chunk
    ];
    for (const reply of replies) expect(reply).toMatch(/^(HTTP\/1\.1 400 |$)/);
    expect(replies.some((r) => r.startsWith('HTTP/1.1 400 '))).toBe(true);
    expect((await post(url, 'whole 1\nwhole 2\n')).status).toBe(204);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['whole 1', 'whole 2']);
  });

  it('answers 503 with Retry-After once the read-ahead queue is full and requests pile up, and loses nothing', async () => {
    const inPort = await freePort();
    const outPort = await freePort(); // the sink's peer is down: the first batch waits
    const url = `http://127.0.0.1:${inPort}/`;
    const { child, done } = start(['-b', '100ms', '-i', `http-listen://127.0.0.1:${inPort}/`, '-o', `tcp://127.0.0.1:${outPort}`]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await listening(url);
    expect((await post(url, 'first\n')).status).toBe(204);
    await eventually(() => stderr.includes('cannot write'), 'the sink waiting for its peer');

    // 128 senders of 128 KiB each, retrying after Retry-After until accepted: while the batch waits,
    // 4 MiB are read ahead for the next one (32 bodies), 64 requests wait unread, the rest are turned away
    const SENDERS = 128;
    const body = (i: number) => Array.from({ length: 2000 }, (_, j) => `held ${i} ${j} ${'.'.repeat(50)}\n`).join('');
    const statuses: number[] = [];
    const send = async (i: number) => {
      for (;;) {
        const a = await post(url, body(i));
        statuses.push(a.status);
        if (a.status === 204) return;
        expect(a.status).toBe(503);
        expect(a.retryAfter).toBe('1');
        await new Promise((r) => setTimeout(r, Number(a.retryAfter) * 1000));
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, (_, i) => send(i)));
    await eventually(() => statuses.filter((s) => s === 503).length >= 16, 'the senders beyond the bound turned away');

    let received = '';
    const server = createTcpServer();
    servers.push(server);
    server.on('connection', (socket) => socket.setEncoding('utf8').on('data', (d: string) => (received += d)));
    await new Promise<void>((resolve) => server.listen(outPort, '127.0.0.1', resolve));
    await senders;
    const expected = 1 + SENDERS * 2000;
    await eventually(() => lines(received).length >= expected, 'every line through the sink');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    const got = lines(received);
    expect(got.length).toBe(expected);
    expect(new Set(got).size).toBe(expected);
  });

});


