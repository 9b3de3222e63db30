// tcp:// and tcp-listen:// end to end: real servers and clients in the test process talk to the
// real bin/sluice; peers that are down at first, hang up and come back; every line arrives once.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, tempDir } from './support/cli.ts';
import { eventually, linesOf, numbered } from './support/eventually.ts';
import { freePort } from './support/ports.ts';

const lines = (text: string) => text.split('\n').filter(Boolean);
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server on 127.0.0.1:port handing each connection to `onClient`. */
function serve(port: number, onClient: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onClient);
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('tcp:// source', () => {
  it('waits for a peer that is down, reads it, and reconnects when it hangs up', async () => {
    const port = await freePort();
    const dir = tempDir();
    const out = join(dir, 'out.txt');
    const { child, done } = start(['-b', '100ms', '-i', `tcp://127.0.0.1:${port}`, '-o', `append:${out}`]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await eventually(() => /cannot connect .*ECONNREFUSED.*retrying with backoff/.test(stderr), 'the peer-down message');

    const sent = [numbered('first', 0, 3000), numbered('second', 0, 3000)];
    let connection = 0;
    await serve(port, (socket) => {
      const text = sent[connection++];
      if (text === undefined) return;
      // in small pieces that cut lines in two, then hang up
      for (let i = 0; i < text.length; i += 777) socket.write(text.slice(i, i + 777));
      socket.end();
    });
    await eventually(() => linesOf(out).length >= 6000, 'both connections read');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(stderr).toMatch(/connected/);
    expect(stderr).toMatch(/the peer closed the connection; reconnecting/);
    expect(linesOf(out).sort()).toEqual(lines(sent.join('')).sort());
  });
});

describe('tcp:// sink', () => {
  it('holds the batch while the peer is down and delivers every line once it is up', async () => {
    const port = await freePort();
    const input = numbered('line', 0, 5000);
    const { child, done } = start(['-b', '100ms', '-o', `tcp://127.0.0.1:${port}`]);
    child.stdin!.end(input);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await eventually(() => /cannot write .*ECONNREFUSED.*retrying with backoff until the peer is up/.test(stderr), 'the peer-down message');
    let received = '';
    await serve(port, (socket) => socket.setEncoding('utf8').on('data', (d: string) => (received += d)));
    const r = await done;
    expect(r.code).toBe(0);
    await eventually(() => received.length === input.length, 'everything received');
    expect(lines(received).sort()).toEqual(lines(input).sort());
  });
});

describe('tcp-listen:// source', () => {
  it('reads whole lines from many clients at once', async () => {
    const port = await freePort();
    const dir = tempDir();
    const out = join(dir, 'out.txt');
    const { child, done } = start(['-b', '100ms', '-i', `tcp-listen://127.0.0.1:${port}`, '-o', `append:${out}`]);
    const connect = async (): Promise<Socket> => {
      for (;;) {
        const socket = createConnection(port, '127.0.0.1');
        const ok = await new Promise<boolean>((r) => socket.once('connect', () => r(true)).once('error', () => r(false)));
        if (ok) return socket;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let input = '';
    const clients = await Promise.all(Array.from({ length: 5 }, connect));
    clients.forEach((socket, c) => {
      const text = numbered(`client${c}`, 0, 2000);
      input += text;
      for (let i = 0; i < text.length; i += 501 + c) socket.write(text.slice(i, i + 501 + c));
      socket.end();
    });
    await eventually(() => linesOf(out).length >= 10_000, 'every client read');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(linesOf(out).sort()).toEqual(lines(input).sort());
  });
});

describe('tcp-listen:// sink', () => {
  it('serves every batch to every connected client', async () => {
    const port = await freePort();
    const { child, done } = start(['-b', '50ms', '-o', `tcp-listen://127.0.0.1:${port}`]);
    // until sluice listens, its first batches are written to nobody: send "sync" lines until
    // each client has seen one, so that it is known to be connected
    const received = ['', ''];
    const clients: Socket[] = [];
    const ticker = setInterval(() => child.stdin!.write('sync\n'), 20);
    for (const i of [0, 1]) {
      await eventually(() => {
        if (clients[i]?.readyState !== 'open' && !clients[i]?.connecting) {
          clients[i] = createConnection(port, '127.0.0.1').on('error', () => {});
          clients[i]!.setEncoding('utf8').on('data', (d: string) => (received[i] += d));
        }
        return received[i]!.includes('sync\n');
      }, `client ${i} connected`);
    }
    clearInterval(ticker);
    const data = numbered('data', 0, 20_000);
    child.stdin!.end(data);
    const r = await done;
    expect(r.code).toBe(0);
    await eventually(() => received.every((t) => t.endsWith('data 19999\n')), 'the last line at every client');
    for (const text of received) expect(lines(text).filter((l) => l !== 'sync')).toEqual(lines(data));
  });
});
