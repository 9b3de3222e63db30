// `http-listen://HOST:PORT/PATH`: a webhook receiver: the lines of each POSTed body (plain lines or
// NDJSON) become records, all of a request's or none. While the pipeline is paused requests wait,
// and past a bound they are answered 503 with Retry-After, so memory stays bounded however fast
// senders post. With ?token= only requests that carry it as a bearer token are taken (401 otherwise).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fromEnvironment, hostPort, type HostPort } from '../uri.ts';
import { messageOf } from '../../core/errors.ts';
import { capConnections, Listener, MAX_CONNECTIONS } from './listener.ts';
import { Spool } from './spool.ts';
import { LineChunker, noOnce, type Source, type SourceDef } from './source.ts';

/** Requests that may wait while the pipeline is paused; more are turned away with 503. */
const MAX_WAITING = 64;

const listenAt = hostPort('listen');

export const httpListen: SourceDef<HostPort & { token?: string }> = {
  scheme: 'http-listen',
  usage: 'http-listen://HOST:PORT/PATH',
  summary: 'accept POSTed lines or NDJSON (webhooks); 503 with Retry-After when full',
  params: [
    { name: 'token', value: { kind: 'string', metavar: 'TOKEN' }, summary: 'take only requests with the header Authorization: Bearer TOKEN (401 otherwise); ${VAR} in it is taken from the environment' },
    MAX_CONNECTIONS,
  ],
  target: (path, params, problem) => ({
    ...listenAt(path, params, problem),
    token: params.token === undefined ? undefined : fromEnvironment(params.token as string, 'token', problem),
  }),
  create({ host, port, path, token }, params, uri): Source {
    const authorized = bearer(token);
    let waiting: (() => void)[] = [];
    // loaded here, not imported: an ESM import of node:http also loads Node's fetch (undici),
    // some 15 ms that every run of sluice would pay
    const server = process.getBuiltinModule('node:http').createServer();
    capConnections(server, params['max-connections'] as number, uri);
    const requests = new Listener<IncomingMessage>(uri, server, { host, port });
    return {
      label: uri,
      untilNow() {
        throw noOnce(uri);
      },
      run(intake) {
        const text = (t: string) => intake.text(t);
        server.on('request', (req, res) => {
          if (!authorized(req.headers.authorization)) {
            res.writeHead(401, { 'WWW-Authenticate': 'Bearer', Connection: 'close', 'Content-Type': 'text/plain' }).end('a bearer token is needed\n');
          } else if (path && path !== '/' && new URL(req.url ?? '/', 'http://host').pathname !== path) {
            res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`POST to ${path}\n`);
          } else if (req.method !== 'POST' && req.method !== 'PUT') {
            res.writeHead(405, { Allow: 'POST, PUT', 'Content-Type': 'text/plain' }).end('POST lines or NDJSON\n');
          } else if (requests.paused && waiting.length >= MAX_WAITING) {
            res.writeHead(503, { 'Retry-After': '1', Connection: 'close', 'Content-Type': 'text/plain' }).end('busy, retry later\n');
          } else {
            const take = () => {
              requests.take(req);
              // all or nothing: the lines go in once the body is complete, so a body cut short or
              // malformed (answered 400, or the sender gone) gives none, and its retry no duplicates
              const body = new Spool();
              let failed = false;
              req.on('data', (buf: Buffer) => {
                if (failed) return;
                try {
                  body.add(buf);
                } catch (err) {
                  failed = true;
                  body.discard();
                  res.writeHead(503, { 'Retry-After': '1', Connection: 'close', 'Content-Type': 'text/plain' }).end(`cannot keep the body: ${messageOf(err)}\n`);
                }
              });
              req.on('close', () => req.complete || body.discard());
              req.on('end', () => {
                if (failed) return;
                const lines = new LineChunker(intake);
                body.drain((buf) => lines.push(buf, text), () => requests.resumed()).then(
                  () => {
                    lines.end(text);
                    res.writeHead(204).end();
                  },
                  (err) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`cannot read the body back: ${messageOf(err)}\n`),
                );
              });
              req.resume(); // a request that waited was paused: a 'data' listener alone does not restart it
            };
            if (requests.paused) {
              req.pause();
              waiting.push(take);
            } else take();
          }
        });
        return requests.listen();
      },
      pause: () => requests.pause(),
      resume() {
        requests.resume();
        const ready = waiting;
        waiting = [];
        for (const take of ready) take();
      },
      stop: () => requests.stop(() => server.closeAllConnections()),
    };
  },
};

/** Whether an Authorization header carries `token` as a bearer token, compared in constant time; without a token, any request will do. */
function bearer(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  // digests of equal length, so that neither the token's length nor its bytes show in the time taken
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(`Bearer ${token}`);
  return (header) => timingSafeEqual(digest(header ?? ''), expected);
}
