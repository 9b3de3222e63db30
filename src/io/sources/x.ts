// `x://stream?rules=RULE`: the X API v2 filtered stream (Twitter's successor). At the start the
// stream's rules are made the ones given (GET and POST /2/tweets/search/stream/rules: the others
// deleted, the missing added); then GET /2/tweets/search/stream is read for as long as it lasts,
// each post's JSON line one record, the keep-alive blank lines passed over. A dropped connection is
// made again at once, then with the backoff X documents: network errors linearly (250 ms more each
// time, up to 16 s), HTTP errors exponentially (5 s doubling, up to 320 s), 429 until its
// x-rate-limit-reset or else from 1 minute doubling. A live stream, at most once; pausing stops
// reading, so TCP pushes back (and X drops a client too slow for too long, which is then reconnected).

import { note } from '../../core/report.ts';
import { wait } from '../../core/backoff.ts';
import { IoError, lastingFailure, messageOf, UsageError } from '../../core/errors.ts';
import { redactedUri as redact } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import { LineChunker, type Intake, type SourceDef } from './source.ts';

/** X's documented reconnection waits, by what failed; `attempt` counts the failures in a row, from 1. */
export const X_BACKOFF = {
  network: (attempt: number) => Math.min(250 * attempt, 16_000),
  http: (attempt: number) => Math.min(5000 * 2 ** (attempt - 1), 320_000),
  rateLimit: (attempt: number) => 60_000 * 2 ** Math.min(attempt - 1, 20),
};

/** X sends a keep-alive every 20 s: a connection silent for longer than this is taken as dead. */
const STALL_MS = 30_000;

/** How long a request to the rules endpoint may take. */
const REQUEST_MS = 10_000;

export const TOKEN_VARIABLE = 'X_BEARER_TOKEN';

export const x: SourceDef<string> = {
  scheme: 'x',
  usage: 'x://stream',
  summary: `the X API v2 filtered stream, each post its JSON line (bearer token from ${TOKEN_VARIABLE}; a live stream)`,
  params: [
    { name: 'rules', repeat: true, value: { kind: 'string', metavar: 'RULE' }, summary: 'a filtering rule, URL-encoded; repeatable: at the start the stream gets exactly these (others deleted); without: it keeps the rules it has' },
    {
      name: 'endpoint',
      value: { kind: 'string', metavar: 'URL' },
      default: 'https://api.x.com',
      summary: 'the API server',
      check(text) {
        if (!/^https?:$/.test(URL.parse(text)?.protocol ?? '')) throw new Error(`'${text}' is not an http(s) URL`);
      },
    },
  ],
  target(path, _params, problem) {
    if (path !== 'stream') problem('expected x://stream?rules=RULE, e.g. x://stream?rules=%23rust%20lang%3Aen');
    return path;
  },
  create(_target, params, uri) {
    const token = process.env[TOKEN_VARIABLE];
    if (!token) throw new UsageError(`${redact(uri)}: ${TOKEN_VARIABLE} is not set: give the bearer token of your X app in the environment`);
    return new XSource(redact(uri), (params.endpoint as string).replace(/\/+$/, ''), params.rules as string[], token);
  },
};

/** Why a request failed, and so how long to wait before the next one. */
type Failure = { kind: 'network' | 'http'; reason: string } | { kind: 'rateLimit'; reason: string; resetAt: number | undefined };

/** A reply worth trying again after a wait (429, 5xx), thrown from where it came to the loop that waits. */
class RetryLater extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.reason);
    this.failure = failure;
  }
}

class XSource extends BrokerSource<never> {
  private readonly endpoint: string;
  private readonly rules: string[];
  private readonly token: string;
  private received = 0;

  constructor(label: string, endpoint: string, rules: string[], token: string) {
    super(label);
    this.endpoint = endpoint;
    this.rules = rules;
    this.token = token;
  }

  async run(intake: Intake): Promise<void> {
    const { signal } = this.stopped;
    const attempts = { network: 0, http: 0, rateLimit: 0 };
    let rulesSet = !this.rules.length;
    let outage = false;
    while (!signal.aborted) {
      let failure: Failure | undefined;
      try {
        if (!rulesSet) rulesSet = await this.setRules();
        failure = rulesSet ? await this.read(intake, () => {
          if (outage) note(`${this.label}: connected`);
          outage = false;
          attempts.network = attempts.http = attempts.rateLimit = 0;
        }) : undefined;
      } catch (err) {
        if (signal.aborted) break;
        failure = err instanceof RetryLater ? err.failure : this.classify(err);
      }
      if (signal.aborted) break;
      if (!failure) continue; // an established connection ended: again at once
      const waitMs = this.waitFor(failure, ++attempts[failure.kind]);
      note(`${this.label}: ${failure.reason}; reconnecting in ${(waitMs / 1000).toFixed(waitMs < 10_000 ? 2 : 0)}s`);
      outage = true;
      await wait(waitMs, signal);
    }
  }

  private waitFor(failure: Failure, attempt: number): number {
    if (failure.kind === 'rateLimit' && failure.resetAt !== undefined && failure.resetAt > Date.now()) return failure.resetAt - Date.now();
    return X_BACKOFF[failure.kind](attempt);
  }

  /** A request that did not get a reply: lasting (a host that does not exist) fails the run, anything else is retried. */
  private classify(err: unknown): Failure {
    if (err instanceof IoError) throw err;
    const cause = (err as Error).cause ?? err;
    const lasting = lastingFailure(cause);
    if (lasting) throw new IoError(`${this.label}: ${lasting}`, { cause: err });
    const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
    return { kind: 'network', reason: timedOut ? `no reply from ${this.endpoint} in time` : `cannot reach ${this.endpoint} (${messageOf(cause)})` };
  }

  /** A reply that is not a success: retried (429, 5xx) or the end of the run, with what X says. */
  private async refused(res: Response, what: string): Promise<Failure> {
    const reply = (await res.text().catch(() => '')).trim();
    const said = xMessage(reply);
    const reason = `${what}: ${res.status} ${res.statusText}${said && said !== res.statusText ? ` (${said})` : ''}`;
    if (res.status === 429) {
      const reset = Number(res.headers.get('x-rate-limit-reset'));
      return { kind: 'rateLimit', reason, resetAt: reset > 0 ? reset * 1000 : undefined };
    }
    if (res.status >= 500 || res.status === 408) return { kind: 'http', reason };
    const hint = res.status === 401 ? `: check ${TOKEN_VARIABLE}` : res.status === 403 ? ': the app may lack access to the filtered stream' : '';
    throw new IoError(`${this.label}: ${reason}${hint}`);
  }

  private request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { authorization: `Bearer ${this.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) };
    return fetch(`${this.endpoint}${path}`, { ...init, headers, redirect: 'manual', signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(REQUEST_MS)]) });
  }

  /** Make the stream's rules the ones given: true once done; a Failure is thrown to be retried. */
  private async setRules(): Promise<boolean> {
    const res = await this.request('/2/tweets/search/stream/rules');
    if (!res.ok) throw new RetryLater(await this.refused(res, 'reading the rules'));
    const { data = [] } = (await res.json()) as { data?: { id: string; value: string }[] };
    const stale = data.filter((r) => !this.rules.includes(r.value));
    const missing = this.rules.filter((v) => !data.some((r) => r.value === v));
    if (stale.length) await this.changeRules({ delete: { ids: stale.map((r) => r.id) } });
    if (missing.length) await this.changeRules({ add: missing.map((value) => ({ value })) });
    if (stale.length || missing.length) note(`${this.label}: the stream's rules set (${missing.length} added, ${stale.length} deleted)`);
    return true;
  }

  /** One POST to the rules endpoint; a rule X refuses (its syntax) ends the run, naming it. */
  private async changeRules(body: object): Promise<void> {
    const res = await this.request('/2/tweets/search/stream/rules', { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok && (res.status === 429 || res.status >= 500)) throw new RetryLater(await this.refused(res, 'setting the rules'));
    const reply = (await res.json().catch(() => ({}))) as { errors?: { value?: string; title?: string; detail?: string; details?: string[] }[] };
    const errors = (reply.errors ?? []).filter((e) => e.title !== 'DuplicateRule');
    if (errors.length || !res.ok) {
      const e = errors[0];
      const what = e?.value === undefined ? 'setting the rules' : `rule ${JSON.stringify(e.value)}`;
      throw new IoError(`${this.label}: X refused ${what}: ${e ? [e.title, ...(e.details ?? [e.detail])].filter(Boolean).join(': ') : `${res.status} ${res.statusText}`}`);
    }
  }

  /**
   * One connection to the stream, read until it ends: undefined if it was established (the caller
   * reconnects at once), else why not. `connected` is called once it is.
   */
  private async read(intake: Intake, connected: () => void): Promise<Failure | undefined> {
    // silence, before the reply as after it, for longer than STALL_MS ends the connection
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), STALL_MS);
    const res = await fetch(`${this.endpoint}/2/tweets/search/stream`, {
      headers: { authorization: `Bearer ${this.token}` },
      redirect: 'manual',
      signal: AbortSignal.any([this.stopped.signal, stall.signal]),
    }).finally(() => clearTimeout(timer));
    if (!res.ok || !res.body) return this.refused(res, 'connecting to the stream');
    connected();
    // a line cut off by a disconnection is dropped with this connection's chunker
    const lines = new LineChunker(intake);
    const reader = res.body.getReader();
    try {
      for (;;) {
        clearTimeout(timer);
        await this.whilePaused();
        if (this.stopped.signal.aborted) return undefined;
        timer = setTimeout(() => stall.abort(), STALL_MS);
        const { done, value } = await reader.read();
        if (done) break;
        lines.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength), (text) => this.deliver(intake, text));
      }
      note(`${this.label}: the stream ended; reconnecting`);
    } catch (err) {
      if (this.stopped.signal.aborted) return undefined;
      note(`${this.label}: ${stall.signal.aborted ? `nothing for ${STALL_MS / 1000}s, not even a keep-alive` : `connection lost (${messageOf((err as Error).cause ?? err)})`}; reconnecting`);
    } finally {
      clearTimeout(timer);
      void reader.cancel().catch(() => {});
    }
    return undefined;
  }

  /** Whole lines of the stream: each post one record; keep-alives (blank lines) and X's own messages are not records. */
  private deliver(intake: Intake, text: string): void {
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (!line.trim()) continue;
      if (line.startsWith('{"errors"')) {
        note(`${this.label}: X says: ${xMessage(line) || line.slice(0, 500)}`);
        continue;
      }
      const n = ++this.received;
      intake.message(line, () => `${this.label} (post ${n})`);
      this.unacked.skip();
    }
  }

  committed(): void {}

  protected endReading(): void {}

  protected close(): void {}
}

/** What an X error reply says: its problem's title and detail, or those of its first error. */
function xMessage(reply: string): string {
  try {
    const body = JSON.parse(reply) as { title?: string; detail?: string; errors?: { title?: string; detail?: string; message?: string }[] };
    const e = body.errors?.[0];
    const title = body.title ?? e?.title;
    const detail = body.detail ?? e?.detail ?? e?.message;
    return [title, detail === title ? undefined : detail].filter(Boolean).join(': ');
  } catch {
    return '';
  }
}
