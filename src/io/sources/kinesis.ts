// `kinesis://STREAM?from=latest|trim-horizon|at-timestamp:ISO`: reads every shard of a Kinesis
// stream (GetRecords), each record one record, and follows splits and merges: a shard is read only
// once its parents are drained, so a key's records come in order. Kinesis keeps no reader's
// position, so without --checkpoint a restart starts at `from` again; with it, each shard's last
// sequence number is saved once the batch's sinks have succeeded, and an unfinished batch is read
// again exactly (limit()): at least once end to end.

import type { _Record, KinesisClient } from '@aws-sdk/client-kinesis';
import { wait } from '../../core/backoff.ts';
import { IoError } from '../../core/errors.ts';
import { KINESIS_PARAMS, kinesisClient, kinesisSdk, kinesisTarget, RetryNotes, withRetries, type KinesisTarget, type Transient } from '../kinesis.ts';
import type { Intake, Source, SourceDef } from './source.ts';

/** Where a stream is first read: `latest`, `trim-horizon`, or `at` a time (ms). */
type From = { kind: 'latest' } | { kind: 'trim-horizon' } | { kind: 'at'; ms: number };

function parseFrom(text: string): From {
  if (text === 'latest' || text === 'trim-horizon') return { kind: text };
  const m = /^at-timestamp:(.+)$/.exec(text);
  const ms = m ? Date.parse(m[1]!) : NaN;
  if (Number.isNaN(ms)) throw new Error(`'${text}' is none of latest, trim-horizon, at-timestamp:ISO (e.g. at-timestamp:2026-12-01T00:00:00Z)`);
  return { kind: 'at', ms };
}

export const kinesis: SourceDef<KinesisTarget> = {
  scheme: 'kinesis',
  usage: 'kinesis://STREAM',
  summary: 'read every shard of a Kinesis stream, following splits and merges; sequence numbers kept by --checkpoint',
  params: [
    {
      name: 'from',
      value: { kind: 'string', metavar: 'latest|trim-horizon|at-timestamp:ISO' },
      default: 'latest',
      summary: "where a shard with no checkpointed position starts (latest: from the first run's start on; a shard made by a reshard: at its start)",
      check: (text) => void parseFrom(text),
    },
    { name: 'meta', value: { kind: 'flag' }, default: 'false', summary: 'records {key, value, shard, sequence, timestamp}: the partition key, the data decoded by --parse, the arrival time (ms)' },
    { name: 'poll', value: { kind: 'duration', metavar: 'DUR' }, default: '1s', summary: 'how long a shard that had nothing new waits before it is read again (AWS allows 5 reads a second per shard)' },
    ...KINESIS_PARAMS,
  ],
  target: kinesisTarget,
  create(target, params, uri) {
    return new KinesisSource(uri, target, { from: parseFrom(params.from as string), meta: params.meta as boolean, pollMs: params.poll as number });
  },
};

interface Settings {
  from: From;
  meta: boolean;
  pollMs: number;
}

/**
 * By shard: the sequence number of the last record delivered; END once the shard is closed and
 * drained; `t:MS` for a shard started at a time (latest, at-timestamp) that has delivered nothing yet.
 * Before the shards are listed, a first run's is START: `t:MS`, the time it began.
 */
type Position = Record<string, string>;
const END = 'end';
const START = '*';

/** GetRecords returns at most this many records; a shard is read again no sooner than this after records came (5 a second). */
const MAX_RECORDS = 10_000;
const MIN_INTERVAL_MS = 200;

/** One shard as sluice reads it. */
class Shard {
  readonly id: string;
  readonly parents: string[];
  /** Sequence number of the last record delivered. */
  last: string | undefined;
  /** Sequence number of the last record fetched (delivered or pending): where a new iterator starts. */
  fetched: string | undefined;
  /** Started at a time, nothing delivered yet: that time (ms), to start at again after a restart. */
  at: number | undefined;
  /** Fetched, not yet delivered (paused, over --max-rate, or past a replay's end). */
  pending: _Record[] = [];
  /** Closed and read to its end: done once nothing is pending. */
  ended = false;
  done = false;
  reading = false;

  constructor(id: string, parents: string[]) {
    this.id = id;
    this.parents = parents;
  }
}

class KinesisSource implements Source {
  readonly label: string;
  private readonly target: KinesisTarget;
  private readonly settings: Settings;
  private client: KinesisClient | undefined;
  private readonly shards = new Map<string, Shard>();
  /** From seek(): positions to take up as the shards are listed. */
  private resumeAt: Position | undefined;
  /**
   * When the first run began: `latest` is read from then on (AT_TIMESTAMP), so that a replay of its
   * first batch starts where that batch did.
   */
  private startedAt: number | undefined;
  private listed = false;
  /** A replay's end: nothing past it is delivered until the limit lifts. */
  private until: { position: Position; reached: () => void } | undefined;
  private untilEnd = false;
  private paused = false;
  private readonly stopped = new AbortController();
  private intake: Intake | undefined;
  /** Resolved and replaced whenever a shard may go on: a resume, a limit lifted, pending records delivered. */
  private nudged = Promise.withResolvers<void>();
  private readonly loops = new Set<Promise<void>>();
  private failure: unknown;
  private readonly notes: RetryNotes;

  constructor(label: string, target: KinesisTarget, settings: Settings) {
    this.label = label;
    this.target = target;
    this.settings = settings;
    this.notes = new RetryNotes(label);
  }

  untilNow(): void {
    this.untilEnd = true;
  }

  async run(intake: Intake): Promise<void> {
    this.intake = intake;
    this.startedAt ??= Date.now();
    this.client = await kinesisClient(this.target);
    try {
      // the first listing says at once what is wrong (no stream, no credentials, no endpoint)
      await this.list(3);
      this.listed = true;
      this.startReady();
      this.checkLimit();
      while (!this.stopped.signal.aborted && this.failure === undefined && (this.loops.size || !this.untilEnd)) {
        await Promise.race([this.nudged.promise, ...this.loops]);
      }
      if (this.failure !== undefined) throw this.failure;
    } catch (err) {
      throw err instanceof IoError ? new IoError(`${this.label}: ${err.message}`, { cause: err }) : err;
    } finally {
      this.stopped.abort();
      await Promise.allSettled(this.loops);
      this.client.destroy();
    }
  }

  /** A request, retried with backoff while Kinesis throttles it or is out of reach (said once). */
  private async call<T>(request: (client: KinesisClient, signal: AbortSignal) => Promise<T>, tries = Infinity): Promise<T | undefined> {
    const { signal } = this.stopped;
    // a first request given a few tries only fails soon enough to say why itself
    const retrying = tries === Infinity ? (why: Transient, reason: string) => this.notes.retrying(why, reason) : undefined;
    const result = await withRetries(this.target, signal, () => request(this.client!, signal), { tries, retrying });
    if (result !== undefined) this.notes.succeeded();
    return result;
  }

  /** List the stream's shards (all of them, closed ones too) and take in those not known yet. */
  private async list(tries?: number): Promise<void> {
    const { ListShardsCommand } = await kinesisSdk();
    const first = this.shards.size === 0;
    let token: string | undefined;
    do {
      const page = await this.call(
        (client, abortSignal) => client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.target.stream }), { abortSignal }),
        tries,
      );
      if (!page) return;
      for (const s of page.Shards ?? []) {
        if (this.shards.has(s.ShardId!)) continue;
        const shard = new Shard(s.ShardId!, [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p));
        this.shards.set(shard.id, shard);
        this.place(shard, first, s.SequenceNumberRange?.EndingSequenceNumber !== undefined);
      }
      token = page.NextToken;
    } while (token);
  }

  /** Where a shard just listed stands: at its checkpointed position, or (a shard of the first listing, with none) per `from`. */
  private place(shard: Shard, first: boolean, closed: boolean): void {
    const saved = this.resumeAt?.[shard.id];
    if (saved === END) shard.done = true;
    else if (saved?.startsWith('t:')) shard.at = Number(saved.slice(2));
    else if (saved) shard.last = shard.fetched = saved;
    else if (first && !this.resumeAt) {
      const { from } = this.settings;
      // latest: what a closed shard holds is all older than now
      if (from.kind === 'latest' && closed) shard.done = true;
      else if (from.kind === 'latest') shard.at = this.startedAt;
      else if (from.kind === 'at') shard.at = from.ms;
    }
  }

  /** Start reading every shard whose parents are drained (or gone: past the retention period). */
  private startReady(): void {
    for (const shard of this.shards.values()) {
      if (shard.done || shard.reading || !shard.parents.every((p) => this.shards.get(p)?.done ?? true)) continue;
      shard.reading = true;
      this.track(this.read(shard));
    }
  }

  /** Work run() waits for (a shard's reading, a listing after a shard closed): its failure fails the source. */
  private track(work: Promise<void>): void {
    const loop = work.catch((err: unknown) => void (this.failure ??= err));
    this.loops.add(loop);
    void loop.finally(() => {
      this.loops.delete(loop);
      this.nudge();
    });
  }

  /** Read one shard until it is drained, stopped, or (--once) caught up with its end as it is now. */
  private async read(shard: Shard): Promise<void> {
    const { GetRecordsCommand } = await kinesisSdk();
    const { signal } = this.stopped;
    let iterator = await this.iterator(shard);
    while (iterator && !signal.aborted) {
      // nothing more is fetched while records wait to be delivered, or while paused
      while (!signal.aborted && (this.paused || shard.pending.length)) await this.nudged.promise;
      if (signal.aborted) return;
      const started = Date.now();
      let out;
      try {
        out = await this.call((client, abortSignal) => client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: MAX_RECORDS }), { abortSignal }));
      } catch (err) {
        // an iterator expires after 5 minutes unused (a long pause): a new one where reading stands
        if ((err as { cause?: { name?: string } }).cause?.name !== 'ExpiredIteratorException') throw err;
        iterator = await this.iterator(shard);
        continue;
      }
      if (!out) return;
      const records = out.Records ?? [];
      if (records.length) {
        shard.pending.push(...records);
        shard.fetched = records[records.length - 1]!.SequenceNumber;
        this.deliver(shard);
      }
      iterator = out.NextShardIterator;
      if (!iterator) {
        shard.ended = true;
        this.deliver(shard);
        return;
      }
      if (this.untilEnd && !records.length && out.MillisBehindLatest === 0) return;
      await wait(Math.max(0, (records.length ? MIN_INTERVAL_MS : this.settings.pollMs) - (Date.now() - started)), signal);
    }
  }

  /** A shard iterator for where the shard stands. */
  private async iterator(shard: Shard): Promise<string | undefined> {
    const { GetShardIteratorCommand } = await kinesisSdk();
    const start = shard.fetched
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: shard.fetched }
      : shard.at !== undefined
        ? { ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(shard.at) }
        : { ShardIteratorType: 'TRIM_HORIZON' as const };
    const out = await this.call((client, abortSignal) => client.send(new GetShardIteratorCommand({ StreamName: this.target.stream, ShardId: shard.id, ...start }), { abortSignal }));
    return out?.ShardIterator;
  }

  /** Hand a shard's pending records to the intake, in order, while not paused and within a replay's end. */
  private deliver(shard: Shard): void {
    const intake = this.intake!;
    let i = 0;
    while (i < shard.pending.length && !this.paused && !this.stopped.signal.aborted && this.allowed(shard, shard.pending[i]!)) {
      const r = shard.pending[i++]!;
      shard.last = r.SequenceNumber;
      shard.at = undefined;
      const where = () => `${this.label} (shard ${shard.id}, sequence ${r.SequenceNumber})`;
      const data = r.Data ?? new Uint8Array();
      const text = intake.decode(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      if (!this.settings.meta) intake.message(text, where);
      else {
        intake.message(text, where, (value) => ({
          key: r.PartitionKey ?? null,
          value,
          shard: shard.id,
          sequence: r.SequenceNumber,
          timestamp: r.ApproximateArrivalTimestamp?.getTime() ?? null,
        }));
      }
    }
    if (i) shard.pending = shard.pending.slice(i);
    if (shard.ended && !shard.pending.length && !shard.done) {
      shard.done = true;
      // its children can be read now: they were listed when it closed, or a listing finds them
      this.track(this.list().then(() => this.startReady()));
    }
    if (i) this.nudge();
    this.checkLimit();
  }

  /** Whether a replay lets this record through: only records of the replayed batch (up to its end in their shard). */
  private allowed(shard: Shard, r: _Record): boolean {
    if (!this.until) return true;
    const end = this.until.position[shard.id];
    if (end === END) return true;
    if (end === undefined || end.startsWith('t:')) return false;
    return BigInt(r.SequenceNumber!) <= BigInt(end);
  }

  /** Whether the replay has come to its end: each shard of it delivered up to its end (or past where its records were, since trimmed). */
  private checkLimit(): void {
    const until = this.until;
    if (!until) return;
    for (const [id, end] of Object.entries(until.position)) {
      const shard = this.shards.get(id);
      if (!shard || end.startsWith('t:')) continue; // gone past the retention period, or nothing delivered of it
      if (end === END ? shard.done : shard.done || (shard.last !== undefined && BigInt(shard.last) >= BigInt(end)) || shard.pending.length > 0) continue;
      return;
    }
    until.reached();
  }

  seek(position: unknown): void {
    // none saved yet (a crash in the first batch of a first run): the first run's start again
    const { [START]: start, ...shards } = position as Position;
    if (start) this.startedAt = Number(start.slice(2));
    if (Object.keys(shards).length) this.resumeAt = shards;
  }

  limit(until: unknown): Promise<void> {
    if (until === undefined) {
      this.until = undefined;
      this.deliverAll();
      return Promise.resolve();
    }
    return new Promise((reached) => {
      this.until = { position: until as Position, reached };
      if (this.shards.size) this.checkLimit();
    });
  }

  position(): Position {
    if (!this.listed) return this.resumeAt ?? (this.startedAt === undefined ? {} : { [START]: `t:${this.startedAt}` });
    const position: Position = {};
    for (const shard of this.shards.values()) {
      if (shard.done) position[shard.id] = END;
      else if (shard.last !== undefined) position[shard.id] = shard.last;
      else if (shard.at !== undefined) position[shard.id] = `t:${shard.at}`;
    }
    return position;
  }

  /** --max-rate is per shard being read, as Spark's per-partition rate. */
  rateParts(): number {
    let n = 0;
    for (const shard of this.shards.values()) if (shard.reading && !shard.done) n++;
    return Math.max(1, n);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.deliverAll();
  }

  private deliverAll(): void {
    for (const shard of this.shards.values()) if (shard.pending.length || shard.ended) this.deliver(shard);
    this.nudge();
  }

  private nudge(): void {
    const { resolve } = this.nudged;
    this.nudged = Promise.withResolvers<void>();
    resolve();
  }

  stop(): void {
    this.stopped.abort();
    this.nudge();
  }
}
