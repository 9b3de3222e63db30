// What the kafka:// source and sink share: the BROKERS/TOPIC part of the URI, a look at which
// topics exist, and which client errors are worth retrying: the cluster unreachable for now, or up
// but not ready yet (a coordinator still loading on a fresh broker, a leader moving).
import { note } from '../core/report.ts';
import { backoffMs, wait } from '../core/backoff.ts';
import { IoError, lastingFailure } from '../core/errors.ts';
import type { ParamValues, Problem } from './uri.ts';

export interface KafkaTarget {
  brokers: string[];
  topics: string[];
}

/** Kafka's own rule for topic names. */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * The Kafka client, loaded when a kafka:// URI is first used: it is left out of the bundle so that
 * every other run of sluice starts without parsing it (and its WebAssembly).
 */
export const kafkaClient = () => import('@platformatic/kafka');

/** Retries while the cluster is unreachable: a broker that comes up is noticed within seconds. */
export const RETRY = { baseMs: 200, maxMs: 5000 };

/** Client settings common to every connection sluice makes: fail fast, sluice retries with backoff itself. */
export const CLIENT = { clientId: 'sluice', connectTimeout: 3000, retries: 2, retryDelay: 250 } as const;

/** The target rule of kafka:// URIs, `BROKERS/TOPIC[,TOPIC]`: brokers are HOST[:PORT] (9092 by default), comma-separated. */
export function kafkaTarget(path: string, _params: ParamValues, problem: Problem): KafkaTarget {
  const slash = path.indexOf('/');
  const at = slash < 0 ? path.length : slash;
  const topics = slash < 0 ? [] : path.slice(slash + 1).split(',').filter((t, i, all) => t || all.length > 1);
  if (at === 0 || !topics.length) {
    problem(`expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events${at && !topics.length ? ': the topic is missing' : ''}`);
  }
  if (path.slice(0, at).includes('@')) {
    problem('a user and password in a kafka:// URI are not supported (sluice does not do SASL)');
    return { brokers: [], topics };
  }
  const brokers = (at ? path.slice(0, at).split(',') : []).map((broker) => {
    const m = BROKER.exec(broker);
    if (!m || (m[2] && Number(m[2]) > 65535)) problem(`'${broker}' is not a broker address; expected HOST[:PORT] (port 1 to 65535)`);
    return m?.[2] ? broker : `${broker}:9092`;
  });
  for (const topic of topics) {
    if (!TOPIC.test(topic)) problem(`'${topic}' is not a topic name (letters, digits, '.', '_', '-')`);
  }
  return { brokers, topics };
}

/** Why a failed request may succeed later: no connection or no reply, or a reply that the cluster is not ready yet. */
export type Transient = 'unreachable' | 'not ready';

/** Whether retrying may help, and why; never for a failure that lasts (a broker name that does not exist). */
export function transient(err: unknown): Transient | undefined {
  return lastingFailure(err) ? undefined : retriable(err);
}

function retriable(err: unknown): Transient | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { code?: string; canRetry?: boolean };
  if (e.code === 'PLT_KFK_NETWORK' || e.code === 'PLT_KFK_TIMEOUT') return 'unreachable';
  // a protocol error is a reply: the broker is there (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ...)
  if (e.canRetry === true) return e.code === 'PLT_KFK_PROTOCOL' ? 'not ready' : 'unreachable';
  const inner = [...(err instanceof AggregateError ? err.errors : []), err.cause].map(retriable);
  return inner.find((t) => t === 'unreachable') ?? inner.find((t) => t === 'not ready');
}

/** How long a cluster may be up but not ready before sluice says so: a fresh broker takes seconds. */
const NOT_READY_QUIET_MS = 30_000;

/**
 * What a retry loop says on stderr while the cluster is not there for it (as `label`): once that
 * it cannot be reached, and that it is not ready only when that lasts; "connected" once it is.
 */
export class ClusterWait {
  private readonly label: string;
  private said = false;
  private notReadySince: number | undefined;

  constructor(label: string) {
    this.label = label;
  }

  /** A request failed: true if it is worth retrying (and said so where due). */
  failed(err: unknown): boolean {
    const why = transient(err);
    if (!why || this.said) return why !== undefined;
    if (why === 'unreachable') {
      note(`${this.label}: cannot reach the cluster (${reason(err)}); retrying with backoff until it is up`);
      this.said = true;
    } else if (Date.now() - (this.notReadySince ??= Date.now()) > NOT_READY_QUIET_MS) {
      note(`${this.label}: the cluster is not ready (${reason(err)}); still retrying`);
      this.said = true;
    }
    return true;
  }

  connected(): void {
    if (this.said) note(`${this.label}: connected`);
    this.said = false;
    this.notReadySince = undefined;
  }
}

/** The most specific message of a client error: the first cause at the bottom of its nested errors. */
export function reason(err: unknown): string {
  const lasting = lastingFailure(err);
  if (lasting) return lasting;
  let e = err;
  while (e instanceof AggregateError && e.errors.length) e = e.errors[0];
  return e instanceof Error ? e.message.replace(/\.$/, '') : String(e);
}

/** Which of `topics` exist; with `create`, those missing are created first with `partitions` partitions. */
export async function existingTopics(brokers: string[], topics: string[], create?: { partitions: number }): Promise<Set<string>> {
  const { Admin } = await kafkaClient();
  const admin = new Admin({ ...CLIENT, bootstrapBrokers: brokers });
  try {
    const exist = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !exist.has(t));
    if (!create || !missing.length) return exist;
    // replicas -1: the broker's default.replication.factor
    await admin.createTopics({ topics: missing, partitions: create.partitions, replicas: -1 }).catch(async (err: unknown) => {
      // another process may have created them meanwhile
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t))) throw err;
    });
    return new Set([...exist, ...missing]);
  } finally {
    await admin.close();
  }
}

/**
 * Run `attempt` until it succeeds, retrying with backoff while the cluster is unreachable or not
 * ready (said as ClusterWait says it); any other failure is an IoError, for the caller to say where.
 * Undefined if `signal` aborts first.
 */
export async function whileUnreachable<T>(label: string, signal: AbortSignal, attempt: () => Promise<T>): Promise<T | undefined> {
  const cluster = new ClusterWait(label);
  for (let failures = 0; !signal.aborted; failures++) {
    try {
      const result = await attempt();
      cluster.connected();
      return result;
    } catch (err) {
      if (err instanceof IoError) throw err;
      if (!cluster.failed(err)) throw new IoError(reason(err), { cause: err });
      await wait(backoffMs(failures, Math.random, RETRY), signal);
    }
  }
  return undefined;
}
