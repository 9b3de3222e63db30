// `http://URL`, `https://URL`: POST each batch as NDJSON, or as a JSON array (?body=array), in
// requests of at most ?max-bytes, sent while the batch goes on. Connection errors, timeouts, 408
// and 5xx are retried with exponential backoff, 429 after its Retry-After; any other status fails
// the batch with the server's reply. end() resolves only once every POST of the batch has succeeded,
// so a batch never counts as done (nor is checkpointed) before the server has it.

import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, lastingFailure, messageOf } from '../../core/errors.ts';
import { fromEnvironment, type Problem } from '../uri.ts';
import { Segments } from './segments.ts';
import { lineOf, type SinkDef } from './sink.ts';

/** Milliseconds to wait from a Retry-After header: seconds, or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `NAME:VALUE` with `${VAR}` taken from the environment, so that a secret stays out of the command line. */
export function parseHeader(spec: string, problem: Problem, env = process.env): [string, string] | undefined {
  const colon = spec.indexOf(':');
  const name = spec.slice(0, colon).trim();
  // the value is never shown: it is often a secret
  if (colon < 0) return void problem("header must be NAME:VALUE; this one has no ':'");
  if (!/^[!#$%&'*+.^`|~\w-]+$/.test(name)) return void problem(`header name '${name}' is not a valid HTTP header name`);
  return [name, fromEnvironment(spec.slice(colon + 1).trim(), `header ${name}`, problem, env)];
}

/** Where a batch is posted, and with which headers. */
interface Target {
  url: string;
  headers: Headers;
}

/**
 * The path keeps the server's own query (sluice's parameters are taken out of it); headers are
 * checked with it. USER:PASSWORD@ is HTTP basic authentication, as curl takes it (fetch refuses a
 * URL that holds it).
 */
function target(scheme: string): SinkDef<Target>['target'] {
  return (path, params, problem) => {
    const url = URL.parse(`${scheme}://${path}`);
    if (!url) problem('not a valid URL');
    const headers = new Headers({ 'Content-Type': params.body === 'array' ? 'application/json' : 'application/x-ndjson' });
    if (url && (url.username || url.password)) {
      headers.set('Authorization', `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`);
      url.username = url.password = '';
    }
    for (const spec of params.header as string[]) {
      const header = parseHeader(spec, problem);
      if (header) headers.set(...header);
    }
    return { url: url?.href ?? '', headers };
  };
}

/** fetch never connects to the Fetch standard's blocked ports (6000, 6667, ...): retrying cannot help. */
function blockedPort(err: unknown): string | undefined {
  // undici says so only in words, with no code to tell it by
  if (messageOf((err as Error).cause) !== 'bad port') return undefined;
  return 'fetch refuses to connect to this port (one of the ports the Fetch standard blocks); use another port';
}

// `uri`, shown in notes, is redacted; errors thrown are named by the sink guard
const create: SinkDef<Target>['create'] = ({ url: target, headers }, params, options, label) => {
  const array = params.body === 'array';
  const timeoutMs = params.timeout as number;
  const retries = (params.retries as number | undefined) ?? Infinity;
  const closed = new AbortController();
  let time = 0;

  /** One POST: undefined once the server has the body, else why not and how long to wait before the next try. */
  const post = async (body: Blob, attempt: number): Promise<{ reason: string; waitMs: number } | undefined> => {
    try {
      const signal = AbortSignal.any([closed.signal, AbortSignal.timeout(timeoutMs)]);
      const res = await fetch(target, { method: 'POST', headers, body, signal, redirect: 'manual' });
      const reply = (await res.text()).trim();
      if (res.ok) return undefined;
      const reason = `${res.status} ${res.statusText}${reply ? `: ${reply.slice(0, 500)}` : ''}`;
      if (res.status === 429) return { reason, waitMs: retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt) };
      if (res.status === 408 || res.status >= 500) return { reason, waitMs: backoffMs(attempt) };
      const moved = res.headers.get('location');
      throw new IoError(`${reason}${moved ? ` (redirects are not followed; post to ${moved})` : ''}`);
    } catch (err) {
      if (err instanceof IoError || closed.signal.aborted) throw err;
      const lasting = lastingFailure((err as Error).cause ?? err) ?? blockedPort(err);
      if (lasting) throw new IoError(lasting, { cause: err });
      const timedOut = (err as Error).name === 'TimeoutError';
      return { reason: timedOut ? `no reply within ${timeoutMs} ms` : messageOf((err as Error).cause ?? err), waitMs: backoffMs(attempt) };
    }
  };

  /** One segment of a batch, posted until the server has it. */
  const deliver = async (pieces: Buffer<ArrayBuffer>[]) => {
    // an array's records each end in a comma: the last one's is dropped
    const body = new Blob(array ? ['[', ...pieces.slice(0, -1), pieces.at(-1)!.subarray(0, -1), ']'] : pieces);
    for (let attempt = 0; ; attempt++) {
      const failed = await post(body, attempt);
      if (!failed) {
        if (attempt) note(`${label}: delivered after ${attempt + 1} attempts`);
        return;
      }
      if (attempt >= retries) throw new IoError(`${failed.reason} (gave up after ${attempt + 1} attempts)`);
      note(`${label}: ${failed.reason}; retrying in ${(failed.waitMs / 1000).toFixed(1)}s`);
      if (!(await wait(failed.waitMs, closed.signal))) return;
    }
  };
  // an array's brackets take one byte more than the comma they replace
  const segments = new Segments((params['max-bytes'] as number) - (array ? 1 : 0), deliver, options.pressure);

  return {
    begin(t) {
      time = t;
      segments.reset();
    },
    push(rec) {
      segments.add(array ? `${JSON.stringify(rec) ?? 'null'},` : lineOf(options, rec, time));
    },
    end: () => segments.end(),
    async close() {},
    abort() {
      closed.abort();
    },
  };
};

export const http: SinkDef<Target> = {
  scheme: 'http',
  usage: 'http://URL',
  summary: 'POST each batch as NDJSON or a JSON array, retrying with backoff; query keys that are not its own go to the server',
  params: [
    { name: 'body', value: { kind: 'choice', choices: ['ndjson', 'array'] }, default: 'ndjson', summary: 'one JSON value per line, or one JSON array' },
    { name: 'header', value: { kind: 'string', metavar: 'NAME:VALUE' }, repeat: true, summary: 'a request header (repeatable); ${VAR} in it is taken from the environment' },
    { name: 'timeout', value: { kind: 'duration', metavar: 'DUR' }, default: '10s', summary: 'how long one POST may take' },
    { name: 'retries', value: { kind: 'int', min: 0, metavar: 'N' }, summary: 'retries of a POST before its batch fails (unlimited)' },
    { name: 'max-bytes', value: { kind: 'size', min: 1 }, default: '10MB', summary: 'the most one POST carries: a bigger batch goes in several, each retried on its own (a bigger record goes alone)' },
  ],
  forwardsQuery: true,
  target: target('http'),
  create,
};

export const https: SinkDef<Target> = { ...http, scheme: 'https', usage: 'https://URL', target: target('https') };
