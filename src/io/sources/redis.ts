// `redis://HOST:PORT/STREAM?group=G`: a member of a Redis Streams consumer group (XREADGROUP), each
// entry one record: its `data` field, or all its fields as a JSON object. Entries are XACKed only
// once every sink has handled the batch; at the start a member reads its own pending entries first
// (what a crashed run left unacknowledged), and it claims those other members have left idle.

import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, brokerTarget, redisClient, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import type { Intake, SourceDef } from './source.ts';

const EXAMPLE = 'redis://HOST[:PORT]/STREAM?group=G, e.g. redis://localhost:6379/events?group=sluice';
const streamTarget = brokerTarget(6379, EXAMPLE, 'stream');
/** Entries asked for per read. */
const COUNT = 1000;

export const redis: SourceDef<BrokerTarget> = {
  scheme: 'redis',
  usage: 'redis://HOST[:PORT]/STREAM',
  summary: 'a Redis Streams consumer-group member; entries XACKed once the sinks succeed',
  params: [
    { name: 'group', value: { kind: 'string', metavar: 'G' }, summary: 'the consumer group, created (with the stream) if missing' },
    { name: 'consumer', value: { kind: 'string', metavar: 'NAME' }, summary: "this member's name (the host's name): a restart under the same name reads its pending entries first" },
    { name: 'from', value: { kind: 'choice', choices: ['latest', 'earliest'] }, default: 'latest', summary: 'where a group sluice creates starts' },
    { name: 'claim-idle', value: { kind: 'duration', metavar: 'DUR' }, default: '1m', summary: 'entries another member has left unacknowledged this long are claimed' },
  ],
  target(path, params, problem) {
    const target = streamTarget(path, params, problem);
    if (!params.group) problem(`a source needs ?group=G (its consumer group); expected ${EXAMPLE}`);
    return target;
  },
  create(target, params, uri) {
    return new RedisSource(redact(uri), {
      ...target,
      stream: target.name,
      group: params.group as string,
      consumer: (params.consumer as string | undefined) ?? hostname(),
      from: params.from === 'earliest' ? '0' : '$',
      claimIdleMs: params['claim-idle'] as number,
    });
  },
};

interface Settings {
  host: string;
  port: number;
  user?: string;
  password?: string;
  stream: string;
  group: string;
  consumer: string;
  /** The ID a group sluice creates starts after. */
  from: string;
  claimIdleMs: number;
}

type Entry = [id: string, fields: string[] | null];

class RedisSource extends BrokerSource<string> {
  private readonly settings: Settings;
  private client: Redis | undefined;

  constructor(label: string, settings: Settings) {
    super(label);
    this.settings = settings;
  }

  async run(intake: Intake): Promise<void> {
    const { host, port, user, password, stream, group, consumer, claimIdleMs } = this.settings;
    const Redis = await redisClient();
    const client = new Redis({ host, port, username: user, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    this.client = client;
    client.on('error', () => {}); // each command's failure is handled where it is sent
    const { signal } = this.stopped;
    let failures = 0;
    /** Where this member's pending entries are read from; undefined once they are all read. */
    let pending: string | undefined = '0';
    let claimedAt = 0;
    let claimFrom = '0-0';
    while (!signal.aborted) {
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        await this.ensureGroup(client);
        if (failures) note(`${this.label}: connected`);
        failures = 0;
        for (;;) {
          await this.whilePaused();
          if (signal.aborted) return;
          let entries: Entry[];
          if (pending !== undefined) {
            entries = this.entries(await readGroup(client, 'GROUP', group, consumer, 'COUNT', COUNT, 'STREAMS', stream, pending));
            pending = entries.length ? entries.at(-1)![0] : undefined;
          } else if (Date.now() - claimedAt >= claimIdleMs) {
            const [next, claimed] = (await client.xautoclaim(stream, group, consumer, claimIdleMs, claimFrom, 'COUNT', COUNT)) as [string, Entry[]];
            entries = claimed;
            claimFrom = next;
            if (next === '0-0') claimedAt = Date.now();
          } else {
            const wait = Math.max(1, Math.min(1000, claimIdleMs - (Date.now() - claimedAt)));
            entries = this.entries(await readGroup(client, 'GROUP', group, consumer, 'COUNT', COUNT, 'BLOCK', wait, 'STREAMS', stream, '>'));
          }
          // a read of up to COUNT entries is handed on as the batches' --max-rate budget allows (the rest stays
          // pending in the group under this member's name, read again after a crash)
          for (const [id, fields] of entries) {
            if (this.paused) await this.whilePaused();
            if (signal.aborted) return;
            this.deliver(intake, id, fields);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        const why = messageOf(err);
        // the server lost the stream or the group (restarted without persistence): made anew
        if (/NOGROUP/.test(why)) {
          note(`${this.label}: the group is gone; creating it again`);
          continue;
        }
        // a reply is the server saying no (WRONGTYPE, NOAUTH), except while it loads its data
        if ((err as Error).name === 'ReplyError' && !/^LOADING/.test(why)) throw new IoError(`${this.label}: ${why}`, { cause: err });
        if (failures === 0) note(`${this.label}: cannot reach the server (${why}); retrying with backoff until it is up`);
        // what the lost connection delivered stays pending under this member's name: read it again
        this.unacked.clear();
        pending = '0';
        client.disconnect();
        await wait(backoffMs(failures++, Math.random, BROKER_RETRY), signal);
      }
    }
  }

  private async ensureGroup(client: Redis): Promise<void> {
    const { stream, group, from } = this.settings;
    await client.xgroup('CREATE', stream, group, from, 'MKSTREAM').catch((err: unknown) => {
      if (!/BUSYGROUP/.test(messageOf(err))) throw err;
    });
  }

  private entries(reply: unknown): Entry[] {
    return (reply as [string, Entry[]][] | null)?.[0]?.[1] ?? [];
  }

  private deliver(intake: Intake, id: string, fields: string[] | null): void {
    // an entry deleted while pending comes with no fields: acknowledged with the batch, nothing to read
    if (fields) {
      const data = fieldValue(fields, 'data');
      const text = data ?? JSON.stringify(Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]])));
      intake.message(text, () => `${this.label}@${id}`);
    }
    this.unacked.add(id);
  }

  async committed(position: unknown): Promise<void> {
    const ids = this.unacked.take(position);
    const client = this.client;
    if (!client || !ids.length) return;
    try {
      for (let i = 0; i < ids.length; i += 10_000) await client.xack(this.settings.stream, this.settings.group, ...ids.slice(i, i + 10_000));
    } catch (err) {
      // they stay pending under this member's name: read again after a restart (at least once)
      note(`${this.label}: cannot acknowledge ${ids.length} entries (${messageOf(err)}); they will be read again`);
    }
  }

  /** The loop ends after the read under way (a blocking one returns within a second). */
  protected endReading(): void {}

  protected close(): void {
    this.client?.disconnect();
  }
}

/** XREADGROUP with its arguments as written (ioredis types each form of it apart). */
function readGroup(client: Redis, ...args: (string | number)[]): Promise<unknown> {
  return (client.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args);
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
