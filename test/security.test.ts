// Security end to end, through bin/sluice: secrets given to sluice (passwords in URIs, header values,
// secret query keys, listener tokens) are used but never written anywhere sluice writes; the
// listeners take a bearer token and cap their connections.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, start, tempDir, type Result } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server that answers every POST with `status`, keeping the headers it was sent. */
async function refusing(status: number) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => res.writeHead(status).end('no\n'));
  });
  closers.push(() => (server.closeAllConnections(), server.close()));
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { port, seen };
}

const SECRETS = { PASS: 'pw-Secret1', TOKEN: 'tok-Secret2', KEY: 'key-Secret3', HOOK: 'hook-Secret4' };

/** Every secret that `text` shows. */
const shown = (text: string) => Object.values(SECRETS).filter((secret) => text.includes(secret));

/** Everything a run wrote: its stdout and stderr, and every file under `dirs`. */
function written(results: Result[], dirs: string[]): string {
  const files = dirs.flatMap((dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)));
  return [...results.flatMap((r) => [r.stdout, r.stderr]), ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
}

describe('secrets', () => {
  it('are used, and shown nowhere: messages, -v, dead letters, checkpoints, explain, lint', async () => {
    const basic = await refusing(400);
    const bearer = await refusing(503);
    const hookPort = await freePort();
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      `batch: 100ms
verbose: true
checkpoint: ${join(dir, 'ck')}
on-error: dlq:${join(dir, 'dlq.ndjson')}
sources:
  lines: { in: "-" }
  hook: { in: "http-listen://127.0.0.1:${hookPort}/hook?token=\${HOOK}" }
streams:
  all: { from: [lines, hook], ops: [] }
sinks:
  - { from: all, out: "http://user:\${PASS}@127.0.0.1:${basic.port}/in?retries=0" }
  - { from: all, out: "http://127.0.0.1:${bearer.port}/in?header=Authorization:Bearer \${TOKEN}&api_key=\${KEY}&retries=1" }
`,
    );
    const env = SECRETS;
    const results: Result[] = [];

    // a run that dead-letters every batch, then stops on a signal
    const run = start(['run', file], { env });
    run.child.stdin!.write('one\n');
    const dlq = join(dir, 'dlq.ndjson');
    await eventually(() => linesOf(dlq).length >= 2, 'both sinks to dead-letter the line');
    const hook = `http://127.0.0.1:${hookPort}/hook`;
    expect((await fetch(hook, { method: 'POST', body: 'sneaky\n' })).status).toBe(401);
    expect((await fetch(hook, { method: 'POST', body: 'sneaky\n', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(hook, { method: 'POST', body: 'hooked\n', headers: { Authorization: `Bearer ${SECRETS.HOOK}` } })).status).toBe(204);
    await eventually(() => linesOf(dlq).filter((l) => l.includes('hooked')).length === 2, 'the hooked line to be dead-lettered');
    run.child.kill('SIGTERM');
    results.push(await run.done);
    expect(results[0]!.code).toBe(0);
    expect(readFileSync(dlq, 'utf8')).not.toContain('sneaky');

    // the same pipeline failing on the first batch
    results.push(await sluice(['run', file, '--set', 'on-error=fail', '--set', `checkpoint=${join(dir, 'ck2')}`], 'two\n', { env }));
    expect(results[1]!.code).toBe(1);
    expect(results[1]!.stderr).toContain('400 Bad Request');

    // the secrets were sent where they belong
    expect(basic.seen[0]!.authorization).toBe(`Basic ${Buffer.from(`user:${SECRETS.PASS}`).toString('base64')}`);
    expect(bearer.seen[0]!.authorization).toBe(`Bearer ${SECRETS.TOKEN}`);

    // checking, explaining, and refusing URIs that hold them
    writeFileSync(join(dir, 'typo.yaml'), readFileSync(file, 'utf8').replace('retries=0', 'retries=0&timout=1s'));
    results.push(await sluice(['lint', join(dir, 'typo.yaml')], '', { env }));
    expect(results[2]!.stderr).toContain("unknown option 'timout'");
    const uris = [`http://user:${SECRETS.PASS}@h/in?header=Authorization:Bearer ${SECRETS.TOKEN}&api_key=${SECRETS.KEY}`, `http-listen://127.0.0.1:9/hook?token=${SECRETS.HOOK}`];
    results.push(await sluice(['explain', '-i', uris[1]!, '-o', uris[0]!]));
    expect(results[3]!.stdout).toContain('http://user:***@h/in?header=Authorization:***&api_key=***');
    results.push(await sluice(['-o', `kafka://user:${SECRETS.PASS}@h:9092/t`], ''));
    expect(results[4]!.code).toBe(2);
    results.push(await sluice(['-o', `http://h/x?header=Bearer ${SECRETS.TOKEN}`], ''));
    expect(results[5]!.stderr).toContain("header must be NAME:VALUE; this one has no ':'");
    results.push(await sluice(['-o', `nope://user:${SECRETS.PASS}@h/x`], ''));
    expect(results[6]!.code).toBe(2);

    expect(shown(written(results, [dir]))).toEqual([]);
  });

  it('a tcp:// peer that is down is retried without showing its password', async () => {
    const port = await freePort();
    const { child, done } = start(['--shutdown-timeout', '100ms', '-o', `tcp://user:${SECRETS.PASS}@127.0.0.1:${port}`]);
    let stderr = '';
    child.stderr!.on('data', (d: string) => (stderr += d));
    child.stdin!.end('one\n');
    await eventually(() => stderr.includes('retrying with backoff'), 'the peer-down message');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stderr).toContain(`tcp://user:***@127.0.0.1:${port}: cannot write`);
    expect(shown(r.stderr)).toEqual([]);
  });
});

describe('checking runs no code', () => {
  /** An expression that writes `name` in the current directory when it runs. */
  const writes = (name: string) => `process.getBuiltinModule("fs").writeFileSync("${name}", "ran")`;

  it('lint and explain of expressions that would write files write none; run does', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'p.yaml'),
      `sources:
  in: { in: "-" }
streams:
  s:
    from: in
    ops:
      - filter: '(x = ${writes('default')}) => true'
      - map: '[${writes('map')}, 1]'
      - combine-by-key: '[${writes('combiner')}, (c, v) => c + v, (a, b) => a + b]'
sinks:
  - { from: s, out: "-" }
`,
    );
    const lint = await sluice(['lint', 'p.yaml'], '', { cwd: dir });
    expect(lint).toMatchObject({ code: 0, stderr: '' });
    const explain = await sluice(['explain', '--map', `[${writes('map')}, 1]`, '--combine-by-key', `[${writes('combiner')}, (c, v) => c + v, (a, b) => a + b]`], '', { cwd: dir });
    expect(explain.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['p.yaml']);
    // the same file run: the combiner factory is evaluated when the pipeline is built
    const run = await sluice(['run', 'p.yaml'], '', { cwd: dir });
    expect(run.code).toBe(1); // the factory gives no function where create should be
    expect(run.stderr).toContain('needs an array of three functions');
    expect(readdirSync(dir).sort()).toEqual(['combiner', 'p.yaml']);
  });

  it('lint still sees what the text shows of a combiner', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'sources:\n  in: { in: "-" }\nstreams:\n  s: { from: in, ops: [{ combine-by-key: "[v => v, 1]" }] }\nsinks:\n  - { from: s, out: "-" }\n');
    const r = await sluice(['lint', 'p.yaml'], '', { cwd: dir });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^p\.yaml:4:\d+: streams\.s\.ops\[0\] \(combine-by-key\): needs an array of three functions \[create, add, merge\]\n$/);
  });
});

describe('hostile files', () => {
  for (const [what, text, column] of [
    ['lists', `${'- '.repeat(5000)}x\n`, 403],
    ['flow lists', `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 204],
  ] as const) {
    it(`${what} nested thousands deep are a positioned problem, not a stack overflow`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'deep.yaml'), text);
      const r = await sluice(['lint', 'deep.yaml'], '', { cwd: dir });
      expect(r.code).toBe(78);
      expect(r.stderr).toBe(`deep.yaml:1:${column}: nested more than 200 levels deep; a pipeline needs a few\n`);
    });
  }

  it('a file whose name has glob characters is read as that file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'report[1].log'), 'the file\n');
    writeFileSync(join(dir, 'report1.log'), 'what the glob matches\n');
    const r = await sluice(['-i', 'report[1].log'], '', { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'the file\n' });
    expect((await sluice(['-i', 'report[0-9].log'], '', { cwd: dir })).stdout).toBe('what the glob matches\n');
  });
});

describe('listeners', () => {
  /** A connection to `port` once something listens there (a refused connect is tried again). */
  async function connection(port: number): Promise<Socket> {
    for (;;) {
      const socket = connect(port, '127.0.0.1');
      const up = await new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true)).once('error', () => resolve(false)));
      if (up) {
        closers.push(() => socket.destroy());
        return socket;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const kinds = {
    'tcp-listen': { uri: (port: number) => `tcp-listen://127.0.0.1:${port}`, send: (line: string) => `${line}\n` },
    'http-listen': {
      uri: (port: number) => `http-listen://127.0.0.1:${port}/hook`,
      send: (line: string) => `POST /hook HTTP/1.1\r\nHost: sluice\r\nContent-Length: ${line.length + 1}\r\n\r\n${line}\n`,
    },
  };
  for (const [name, kind] of Object.entries(kinds)) {
    it(`${name} takes ?max-connections clients and refuses one more, saying so`, async () => {
      const port = await freePort();
      const { child, done } = start(['-b', '100ms', '-i', `${kind.uri(port)}?max-connections=2`]);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: string) => (stdout += d));
      child.stderr!.on('data', (d: string) => (stderr += d));
      const clients = [await connection(port), await connection(port)];
      clients.forEach((c, i) => c.write(kind.send(`client ${i}`)));
      await eventually(() => stdout.includes('client 0') && stdout.includes('client 1'), 'both clients read');
      const third = await connection(port);
      await new Promise((resolve) => third.once('close', resolve)); // refused: closed by sluice
      await eventually(() => stderr.includes('refused'), 'the refusal line');
      expect(stderr).toMatch(/: refused a connection from 127\.0\.0\.1: 2 are open, the most \?max-connections=2 allows\n/);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('client 0\nclient 1\n');
    });
  }
});
