// What the kinesis:// source and sink share: the STREAM target with `?region=` and `?endpoint=`, the
// AWS SDK's Kinesis client (loaded when kinesis:// is first used, so that every other run of sluice
// starts without it; credentials from the SDK's standard chain: environment, profile, instance
// role), what its errors mean in words (no secret in them), and retries with backoff.

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { backoffMs, wait } from '../core/backoff.ts';
import { note } from '../core/report.ts';
import { IoError, lastingFailure, messageOf } from '../core/errors.ts';
import { BROKER_RETRY } from './brokers.ts';
import type { ParamValues, Problem, UriParam } from './uri.ts';

/**
 * The exports of a package that is CommonJS where it is bundled into dist/ (there they are import()'s
 * default, as for the clients of brokers.ts) and may be an ES module where Node loads it itself.
 */
async function exportsOf<T extends object>(module: Promise<T>): Promise<T> {
  const m = await module;
  return (m as { default?: T }).default ?? m;
}

export const kinesisSdk = () => exportsOf(import('@aws-sdk/client-kinesis'));

export interface KinesisTarget {
  stream: string;
  region: string | undefined;
  endpoint: string | undefined;
}

/** The parameters the source and the sink both take. */
export const KINESIS_PARAMS: readonly UriParam[] = [
  { name: 'region', value: { kind: 'string', metavar: 'R' }, summary: "the stream's AWS region (without: AWS_REGION, or the profile's region)" },
  {
    name: 'endpoint',
    value: { kind: 'string', metavar: 'URL' },
    summary: 'the Kinesis endpoint to use instead of AWS\'s (a local one, a VPC endpoint)',
    check: (text) => {
      if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw new Error(`'${text}' is not an http:// or https:// URL`);
    },
  },
];

const STREAM = /^[a-zA-Z0-9_.-]{1,128}$/;

/** The target rule of a Kinesis URI: a stream's name after `kinesis://`. */
export function kinesisTarget(rest: string, params: ParamValues, problem: Problem): KinesisTarget {
  if (!rest) problem('needs a stream, e.g. kinesis://clicks?region=eu-west-1');
  else if (!STREAM.test(rest)) problem(`'${rest}' is not a Kinesis stream name (1 to 128 of a-z, A-Z, 0-9, _ . -)`);
  return { stream: rest, region: params.region as string | undefined, endpoint: params.endpoint as string | undefined };
}

/**
 * A client that retries nothing by itself: sluice's own retries (withRetries) say what they wait
 * for. Over HTTP/1.1 (the SDK's Kinesis default is HTTP/2, which only SubscribeToShard needs, and
 * which local implementations and some proxies do not speak).
 */
export async function kinesisClient(target: KinesisTarget): Promise<KinesisClient> {
  const [{ KinesisClient }, { NodeHttpHandler }] = await Promise.all([kinesisSdk(), exportsOf(import('@smithy/node-http-handler'))]);
  return new KinesisClient({
    region: target.region,
    endpoint: target.endpoint,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
  });
}

/** Why a failed request may succeed later; undefined when retrying cannot help. */
export type Transient = 'throttled' | 'unreachable' | 'unavailable';

const THROTTLED = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException', 'KMSThrottlingException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

/** Records of a PutRecords that Kinesis refused (the rest went in): retried like a failed request. */
export class Refused extends Error {
  readonly why: Transient;
  constructor(message: string, why: Transient) {
    super(message);
    this.why = why;
  }
}

export function transient(err: unknown): Transient | undefined {
  if (err instanceof Refused) return err.why;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (THROTTLED.has(e?.name ?? '')) return 'throttled';
  if (NETWORK.has(e?.code ?? '') || e?.name === 'TimeoutError' || e?.name === 'RequestTimeout') return 'unreachable';
  if ((e?.$metadata?.httpStatusCode ?? 0) >= 500 || e?.$fault === 'server') return 'unavailable';
  return undefined;
}

const REFUSED = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'ExpiredToken', 'AccessDeniedException', 'IncompleteSignature', 'MissingAuthenticationToken', 'KMSAccessDeniedException']);

/** Whether the credentials are missing or refused (nothing of any batch would get through). */
export function credentialsFailure(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return name === 'CredentialsProviderError' || REFUSED.has(name);
}

/**
 * What a failure of the client means, in words, for `target`: no credentials, no region, a stream
 * that does not exist, an endpoint out of reach. Secrets of the environment never appear in it.
 */
export function kinesisReason(err: unknown, target: KinesisTarget): string {
  const e = err as { name?: string; code?: string; message?: string };
  const where = target.endpoint ? `at ${target.endpoint}` : `in region ${target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '(the profile\'s)'}`;
  let text: string;
  if (err instanceof Refused) {
    text = err.message;
  } else if (e?.name === 'CredentialsProviderError') {
    text = 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile of ~/.aws/credentials';
  } else if (REFUSED.has(e?.name ?? '')) {
    text = `the AWS credentials were refused (${e.name}: ${trimmed(e.message)})`;
  } else if (/region is missing/i.test(e?.message ?? '')) {
    text = 'no AWS region: give ?region=R, or set AWS_REGION';
  } else if (e?.name === 'ResourceNotFoundException') {
    text = `stream '${target.stream}' does not exist ${where}`;
  } else if (transient(err) === 'unreachable' || lastingFailure(err)) {
    text = `cannot reach Kinesis ${target.endpoint ? `at ${target.endpoint}` : where} (${lastingFailure(err) ?? (e.code || trimmed(e.message))})`;
  } else {
    text = e?.name && e.name !== 'Error' ? `${e.name}: ${trimmed(e.message)}` : trimmed(messageOf(err));
  }
  return redactSecrets(text);
}

function trimmed(message: string | undefined): string {
  return (message ?? '').replace(/\.$/, '');
}

/** The environment's AWS secrets, should a message ever echo one. */
function redactSecrets(text: string): string {
  let out = text;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const secret = process.env[name];
    if (secret && secret.length >= 4) out = out.replaceAll(secret, '***');
  }
  return out;
}

/** How often throttling is said at most: the requests of other shards go through meanwhile. */
const THROTTLED_NOTE_MS = 60_000;

/**
 * What a client says on stderr while its requests are retried (as `label`'s): that Kinesis is out of
 * reach, once until a request succeeds again ("connected"), and that it throttles them, once a minute
 * at most.
 */
export class RetryNotes {
  private readonly label: string;
  private outage = false;
  private throttledAt = -Infinity;

  constructor(label: string) {
    this.label = label;
  }

  retrying(why: Transient, reason: string): void {
    if (why === 'throttled') {
      if (Date.now() - this.throttledAt < THROTTLED_NOTE_MS) return;
      this.throttledAt = Date.now();
      return note(`${this.label}: throttled (${reason}); backing off`);
    }
    if (!this.outage) note(`${this.label}: ${reason}; retrying with backoff`);
    this.outage = true;
  }

  succeeded(): void {
    if (this.outage) note(`${this.label}: connected`);
    this.outage = false;
  }
}

/**
 * Run `attempt` until it succeeds, waiting with backoff after a transient failure, at most `tries`
 * times in all; `retrying` hears of each wait (to say it once). Any other failure, or the last one,
 * is an IoError saying why in words (kinesisReason). Undefined if `signal` aborts first.
 */
export async function withRetries<T>(
  target: KinesisTarget,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  { tries = Infinity, retrying }: { tries?: number; retrying?: (why: Transient, reason: string) => void } = {},
): Promise<T | undefined> {
  for (let failures = 0; !signal.aborted; failures++) {
    try {
      return await attempt();
    } catch (err) {
      if (signal.aborted) return undefined;
      const why = transient(err);
      if (!why || failures + 1 >= tries) throw new IoError(kinesisReason(err, target), { cause: err });
      retrying?.(why, kinesisReason(err, target));
      await wait(backoffMs(failures, Math.random, BROKER_RETRY), signal);
    }
  }
  return undefined;
}
