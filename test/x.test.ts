// The x:// source end to end, through bin/sluice against a local HTTP server written from X's
// published filtered-stream protocol (there is no internet here): rules read and set with GET and
// POST /2/tweets/search/stream/rules, the stream as chunked NDJSON with \r\n keep-alives, a
// connection refused at first, a disconnection mid-line, 429 with x-rate-limit-reset and a 503, each
// waited out as X documents, and every post counted once; then the errors that end a run.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

const TOKEN = 'test-bearer-token-0123456789';

interface Rule {
  id: string;
  value: string;
}

/** What one connection to the stream does, in the order the connections come. */
type Connection = (res: ServerResponse) => void;

/** An X API server as far as the filtered stream goes: its rules, and a script of stream connections. */
class XServer {
  rules: Rule[] = [];
  /** Every request, with its time. */
  readonly requests: { at: number; method: string; path: string }[] = [];
  private nextId = 100;
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();
  private readonly connections: Connection[];

  constructor(connections: Connection[]) {
    this.connections = connections;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url!;
    this.requests.push({ at: Date.now(), method: req.method!, path });
    let body = '';
    for await (const piece of req) body += piece;
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    if (path === '/2/tweets/search/stream/rules' && req.method === 'GET') {
      return json(200, { ...(this.rules.length ? { data: this.rules } : {}), meta: { sent: new Date().toISOString(), result_count: this.rules.length } });
    }
    if (path === '/2/tweets/search/stream/rules' && req.method === 'POST') {
      const change = JSON.parse(body) as { add?: { value: string }[]; delete?: { ids: string[] } };
      if (change.delete) {
        const before = this.rules.length;
        this.rules = this.rules.filter((r) => !change.delete!.ids.includes(r.id));
        return json(200, { meta: { sent: new Date().toISOString(), summary: { deleted: before - this.rules.length, not_deleted: 0 } } });
      }
      const created: Rule[] = [];
      const errors: unknown[] = [];
      for (const { value } of change.add ?? []) {
        // as X answers a rule whose parentheses do not match
        if ((value.match(/\(/g) ?? []).length !== (value.match(/\)/g) ?? []).length) {
          errors.push({ value, id: '', title: 'UnprocessableEntity', type: 'https://api.twitter.com/2/problems/invalid-rules', details: ['Rules must contain a non-negation term (at position 1)'] });
        } else created.push({ id: String(this.nextId++), value });
      }
      this.rules.push(...created);
      const summary = { created: created.length, not_created: errors.length, valid: created.length, invalid: errors.length };
      return json(200, { ...(created.length ? { data: created } : {}), meta: { sent: new Date().toISOString(), summary }, ...(errors.length ? { errors } : {}) });
    }
    if (path.startsWith('/2/tweets/search/stream') && req.method === 'GET') {
      const next = this.connections.shift();
      if (!next) return json(429, { title: 'ConnectionException', detail: 'This stream is currently at the maximum allowed connection limit.' });
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      return next(res);
    }
    json(404, { title: 'Not Found Error', detail: `no ${req.method} ${path}` });
  }

  /** Times of the stream connections. */
  get streamRequests(): number[] {
    return this.requests.filter((r) => r.path === '/2/tweets/search/stream').map((r) => r.at);
  }
}

const post = (i: number) => `${JSON.stringify({ data: { id: String(1e18 + i), text: `post ${i}`, edit_history_tweet_ids: [String(1e18 + i)] }, matching_rules: [{ id: '100', tag: '' }] })}\r\n`;

/** 200 and chunked NDJSON: posts `from` to `to`, cut into pieces that end mid-line, with keep-alives between. */
function posts(res: ServerResponse, from: number, to: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('\r\n');
  let text = '';
  for (let i = from; i < to; i++) text += post(i) + (i % 50 === 0 ? '\r\n' : '');
  for (let at = 0; at < text.length; at += 997) res.write(text.slice(at, at + 997));
}

const servers: XServer[] = [];
const runs: ReturnType<typeof start>[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) run.child.kill('SIGKILL');
  for (const server of servers.splice(0)) await server.close();
});

function xServer(connections: Connection[]): XServer {
  const server = new XServer(connections);
  servers.push(server);
  return server;
}

const env = { X_BEARER_TOKEN: TOKEN };

describe('x://stream', () => {
  it('sets the rules, reads every post once across a refused connection, a cut, a 429 and a 503, with the waits X documents', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'out');
    const server = xServer([
      // 300 posts, then the connection cut in the middle of the next line
      (res) => {
        posts(res, 0, 300);
        res.write(post(300).slice(0, 40), () => setTimeout(() => res.destroy(), 50));
      },
      (res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'x-rate-limit-limit': '50', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 1) });
        res.end(JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }));
      },
      (res) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ title: 'Service Unavailable', detail: 'Service Unavailable', status: 503 }));
      },
      (res) => posts(res, 300, 600),
    ]);
    server.rules = [{ id: '7', value: 'stale rule' }, { id: '8', value: 'cat has:images' }];
    const uri = `x://stream?rules=cat%20has%3Aimages&rules=%23rust&endpoint=http://127.0.0.1:${port}`;
    const run = start(['-i', uri, '-b', '200ms', '--parse', 'json', '--map', 'x.data.text', '-o', `append:${out}`], { env });
    runs.push(run);
    // nothing listens yet: refused, retried 250 ms later, then 500 ms...
    await eventually(() => /cannot reach http:\/\/127\.0\.0\.1:\d+ \(.*\); reconnecting in 0\.25s/.test(run.stderr()), 'the first refusal');
    await server.listen(port);
    await eventually(() => linesOf(out).length >= 600, 'every post', 30_000);
    expect(server.rules.map((r) => r.value).sort()).toEqual(['#rust', 'cat has:images']);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(linesOf(out)).toEqual(Array.from({ length: 600 }, (_, i) => `post ${i}`));
    const [cut, limited, unavailable, last] = server.streamRequests;
    expect(limited! - cut!).toBeLessThan(1000); // a dropped connection is made again at once
    expect(unavailable!).toBeGreaterThanOrEqual(Math.floor(limited! / 1000) * 1000 + 1000 - 50); // not before the reset
    expect(last! - unavailable!).toBeGreaterThanOrEqual(4950); // HTTP errors: 5 s first
    expect(r.stderr).toMatch(/connecting to the stream: 429 Too Many Requests; reconnecting in/);
    expect(r.stderr).toMatch(/connecting to the stream: 503 Service Unavailable; reconnecting in 5\.00s/);
    expect(r.stderr).toMatch(/the stream's rules set \(1 added, 1 deleted\)/);
    expect(r.stderr).not.toContain(TOKEN);
  }, 40_000);

  it('passes over X messages in the stream and reconnects after an operational disconnect', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'out');
    const server = xServer([
      (res) => {
        posts(res, 0, 5);
        res.end('{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}\r\n');
      },
      (res) => posts(res, 5, 10),
    ]);
    await server.listen(port);
    const run = start(['-i', `x://stream?endpoint=http://127.0.0.1:${port}`, '-b', '200ms', '-o', `append:${out}`], { env });
    runs.push(run);
    await eventually(() => linesOf(out).length >= 10, 'the posts');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(linesOf(out).map((l) => (JSON.parse(l) as { data: { text: string } }).data.text)).toEqual(Array.from({ length: 10 }, (_, i) => `post ${i}`));
    expect(r.stderr).toContain('X says: operational-disconnect: This stream has been disconnected upstream for operational reasons.');
    expect(server.requests.some((q) => q.path.includes('rules'))).toBe(false); // no ?rules: the rules are left as they are
  });

  it('ends with one line for a missing or refused token, a rule X refuses, a host that does not exist, --once', async () => {
    const port = await freePort();
    const server = xServer([]);
    await server.listen(port);
    const endpoint = `endpoint=http://127.0.0.1:${port}`;
    const cases = [
      [['-i', `x://stream?${endpoint}`], {}, 2, `sluice: error: x://stream?${endpoint}: X_BEARER_TOKEN is not set: give the bearer token of your X app in the environment\n`],
      [['-i', `x://stream?${endpoint}`], { X_BEARER_TOKEN: 'wrong' }, 1, `sluice: error: x://stream?${endpoint}: connecting to the stream: 401 Unauthorized: check X_BEARER_TOKEN\n`],
      [['-i', `x://stream?rules=(cat&${endpoint}`], env, 1, `sluice: error: x://stream?rules=(cat&${endpoint}: X refused rule "(cat": UnprocessableEntity: Rules must contain a non-negation term (at position 1)\n`],
      [['-i', 'x://stream?endpoint=http://no-such-host.invalid'], env, 1, "sluice: error: x://stream?endpoint=http://no-such-host.invalid: host 'no-such-host.invalid' not found: the name does not resolve (check the host in the URI)\n"],
      [['-i', 'x://stream', '--once'], env, 2, 'sluice: error: --once: x://stream is a live stream with no end to read up to; --once works with files, tail:, dir:, kafka:// and kinesis://\n'],
      [['-i', 'x://timeline'], env, 2, 'sluice: error: --in: x://timeline: expected x://stream?rules=RULE, e.g. x://stream?rules=%23rust%20lang%3Aen\n'],
      [['-i', 'x://stream?endpoint=ftp://x'], env, 2, "sluice: error: --in: x://stream?endpoint=ftp://x: endpoint: 'ftp://x' is not an http(s) URL\n"],
    ] as const;
    for (const [args, environment, code, stderr] of cases) {
      const r = await sluice([...args], '', { env: { X_BEARER_TOKEN: '', ...environment } });
      expect(r.stderr).toBe(stderr);
      expect(r.code).toBe(code);
    }
  });
});
