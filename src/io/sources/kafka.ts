// `kafka://BROKERS/TOPIC[,TOPIC]?group=G&from=latest|earliest`: a consumer-group member. Each message
// is one record. Offsets are committed only once every sink has handled the batch, so a crash or a
// failing sink means the messages are read again (at least once), never lost. With --checkpoint it
// resumes at the checkpoint's offsets and replays an unfinished batch exactly (seek(), limit()).

import { randomUUID } from 'node:crypto';
import type { Consumer, GroupAssignment, Message, MessagesStream } from '@platformatic/kafka';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError } from '../../core/errors.ts';
import type { Intake } from './source.ts';
import { CLIENT, ClusterWait, existingTopics, kafkaClient, kafkaTarget, reason, RETRY, type KafkaTarget } from '../kafka-cluster.ts';
import type { Source, SourceDef } from './source.ts';

export const kafka: SourceDef<KafkaTarget> = {
  scheme: 'kafka',
  usage: 'kafka://BROKERS/TOPIC[,TOPIC]',
  summary: 'a consumer-group member; offsets committed once the sinks succeed',
  params: [
    { name: 'group', value: { kind: 'string', metavar: 'G' }, summary: 'the consumer group (without: a lone reader that commits nothing)' },
    { name: 'from', value: { kind: 'choice', choices: ['latest', 'earliest'] }, default: 'latest', summary: 'where a group with no commit starts' },
    { name: 'meta', value: { kind: 'flag' }, default: 'false', summary: 'records {key, value, headers, topic, partition, offset, timestamp}, the value decoded by --parse' },
    { name: 'session-timeout', value: { kind: 'duration', metavar: 'DUR' }, default: '10s', summary: 'how long the group waits for a silent member before giving its partitions to the others' },
  ],
  target: kafkaTarget,
  create({ brokers, topics }, params, uri) {
    return new KafkaSource(uri, {
      brokers,
      topics,
      group: params.group as string | undefined,
      from: params.from as 'latest' | 'earliest',
      meta: params.meta as boolean,
      sessionMs: params['session-timeout'] as number,
    });
  },
};

interface Settings {
  brokers: string[];
  topics: string[];
  /** Without a group the source reads alone, from `from` each time, and commits nothing. */
  group: string | undefined;
  from: 'latest' | 'earliest';
  /** Records are {key, value, headers, topic, partition, offset, timestamp}, the value decoded by --parse. */
  meta: boolean;
  /** How long the group waits for a silent member before giving its partitions to the others. */
  sessionMs: number;
}

/** Offsets by topic, then partition: the offset after the last message delivered. */
type Position = Record<string, Record<string, number>>;

/** A topic that does not exist yet: the source waits for it (a later stage may create it). */
class TopicMissing extends Error {}

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

class KafkaSource implements Source {
  readonly label: string;
  private readonly settings: Settings;
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private paused = false;
  private untilEnd = false;
  private finished = false;
  private readonly stopped = new AbortController();
  /** By topic, by partition: the offset after the last message handed to the intake. */
  private readonly next = new Map<string, bigint[]>();
  /**
   * The same, for this session only: within one, a message below it is one the stream fetched
   * again after a rebalance (it restarts from the last commit) and is skipped. A new session, after
   * an error, starts from the commits afresh (the topic may even have been recreated).
   */
  private fetched = new Map<string, bigint[]>();
  /** By topic, by partition: whether the group gives it to this member now. */
  private owned = new Map<string, boolean[]>();
  /** The first message dropped while a rejoin waited, by `topic:partition`: fetched again if the partition stays. */
  private readonly dropped = new Map<string, bigint>();
  /** What this member committed last, by `topic:partition`. */
  private readonly done = new Map<string, number>();
  private commitFailing = false;
  /** Nothing is delivered while a rejoin waits for the commit of what was (settle()). */
  private draining = false;
  private settled: { until: Position; done: () => void } | undefined;
  /**
   * Offsets from seek(), by `topic:partition`, to start at instead of the group's commits: used at
   * the first assignment only (see startAtSeek()).
   */
  private resumeAt = new Map<string, bigint>();
  /** A replayed batch's end (limit()): nothing at or past it is delivered until the limit lifts. */
  private until: { position: Position; reached: () => void } | undefined;
  /** Messages past the limit, in the order they came, delivered once it lifts. */
  private held: Msg[] = [];
  private intake: Intake | undefined;
  /** Whether `owned` comes from the group (not between a session's start and its joining). */
  private member = false;
  /** Look again, soon, whether the limit is reached and whether --once is at its end. */
  private recheck: () => void = () => {};

  constructor(label: string, settings: Settings) {
    this.label = label;
    this.settings = settings;
  }

  untilNow(): void {
    this.untilEnd = true;
  }

  async run(intake: Intake): Promise<void> {
    this.intake = intake;
    const { signal } = this.stopped;
    let failures = 0;
    const cluster = new ClusterWait(this.label);
    /** Waiting for the topic to be created, said once on stderr. */
    let waitingForTopic = false;
    try {
      while (!signal.aborted) {
        try {
          await this.session(intake, () => {
            if (waitingForTopic) note(`${this.label}: the topic is there`);
            cluster.connected();
            failures = 0;
            waitingForTopic = false;
          });
          return;
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof TopicMissing) {
            if (!waitingForTopic) note(`${this.label}: ${err.message}; waiting for it`);
            waitingForTopic = true;
          } else if (!cluster.failed(err)) throw new IoError(`${this.label}: ${reason(err)}`, { cause: err });
          await this.closeConsumer();
          await wait(backoffMs(failures++, Math.random, RETRY), signal);
        }
      }
    } finally {
      this.finished = true;
    }
  }

  /** One membership of the group, from joining it to the end of the stream; `joined` once reading. */
  private async session(intake: Intake, joined: () => void): Promise<void> {
    const { brokers, topics, group, from, sessionMs } = this.settings;
    const exist = await existingTopics(brokers, topics);
    const missing = topics.find((t) => !exist.has(t));
    if (missing && this.untilEnd) throw new IoError(`topic '${missing}' does not exist`);
    if (missing) throw new TopicMissing(`topic '${missing}' does not exist yet`);
    const { Consumer, FetchIsolationLevels } = await kafkaClient();
    const consumer = new Consumer({
      ...CLIENT,
      bootstrapBrokers: brokers,
      groupId: group ?? `sluice-${randomUUID()}`,
      autocommit: false,
      sessionTimeout: sessionMs,
      rebalanceTimeout: 2 * sessionMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionMs / 3)),
      protocolsMetadata: () => this.settle(),
      // short polls keep stop() prompt; 1 MiB fetches are the fastest to decode
      maxWaitTime: 500,
      maxBytes: 1 << 20,
    });
    this.consumer = consumer;
    this.fetched = new Map();
    this.held = [];
    this.own(undefined);
    // a session that starts again during a replay (the cluster went away) goes on where the replay
    // stands, not at the group's commit: the run that crashed may have committed the whole batch
    if (this.until) {
      for (const [topic, partitions] of Object.entries(this.until.position)) {
        for (const p of Object.keys(partitions)) {
          const next = this.next.get(topic)?.[Number(p)];
          if (next !== undefined) this.resumeAt.set(`${topic}:${p}`, next);
        }
      }
    }
    consumer.on('consumer:group:join', ({ assignments }) => this.own(assignments ?? []));
    const stream = await consumer.consume({ topics, mode: group ? 'committed' : from, fallbackMode: from });
    this.stream = stream;
    this.own(consumer.assignments ?? []);
    // the stream has just been made: it fetches nothing before its first 'offsets'
    stream.on('offsets', () => this.startAtSeek(stream));
    const ends = this.untilEnd ? await consumer.listOffsets({ topics, isolationLevel: FetchIsolationLevels.READ_COMMITTED }) : undefined;
    joined();
    /**
     * --once: the partitions of `ends` this pass must read up to their end and are not there yet.
     * A lone reader must read them all; a group member, those the group gave it (as sluice last
     * heard at a join: the client's own list is empty for a while when it is fenced or rejoins).
     */
    const unread = (ends: Map<string, bigint[]>) =>
      [...ends].flatMap(([topic, offsets]) =>
        offsets.flatMap((end, p) => {
          if (group && !this.owned.get(topic)?.[p]) return [];
          const at = stream.offsetsToFetch.get(`${topic}:${p}`) ?? -1n;
          return at < end ? [`${topic}-${p} (at ${at < 0n ? 'none' : at} of ${end})`] : [];
        }),
      );
    /** Set when the pass closes the stream itself, every partition at its end. */
    let reachedEnd = false;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('close', resolve);
      if (this.stopped.signal.aborted) void stream.close();
      // --once: the end is reached when every partition to read (unread()) has been fetched up to
      // where it ended at the start and every message fetched has been delivered (none held by a replay).
      // Checked, as the limit is, after the fetch's messages have all been pushed: its offsets
      // move first.
      let checking = false;
      const check = () => {
        if (checking) return;
        checking = true;
        setImmediate(() => {
          checking = false;
          this.checkLimit();
          if (!ends || !this.member || stream.readableLength > 0 || this.draining || this.until || this.held.length) return;
          if (unread(ends).length > 0) return;
          reachedEnd = true;
          void stream.close();
        });
      };
      this.recheck = check;
      stream.on('data', (m: Msg) => {
        this.receive(m, intake);
        if (stream.readableLength === 0) check();
      });
      stream.on('fetch', check);
      check();
      if (this.paused) stream.pause();
    });
    // the stream ended otherwise than by reaching the end: say what was left, never end quietly
    const left = ends && !reachedEnd && !this.stopped.signal.aborted ? unread(ends) : [];
    if (left.length) throw new IoError(`--once: the pass ended before these partitions reached where they ended at its start: ${left.join(', ')}`);
  }

  private receive(m: Msg, intake: Intake): void {
    const { topic, partition, offset } = m;
    // a rebalance is under way (see settle()), or a partition went to another member: whoever
    // owns it next reads it from the last commit
    if (!this.owned.get(topic)?.[partition]) return;
    if (this.draining) {
      // fetched while a rejoin waits: dropped, and fetched again if this member keeps the partition
      const key = `${topic}:${partition}`;
      if (offset < (this.dropped.get(key) ?? offset + 1n)) this.dropped.set(key, offset);
      return;
    }
    let seen = this.fetched.get(topic);
    if (!seen) this.fetched.set(topic, (seen = []));
    if (offset < (seen[partition] ?? 0n)) return;
    seen[partition] = offset + 1n;
    // replaying a batch: nothing at or past its end, nor of a partition it did not read, until the
    // limit lifts; then nothing new before what was held. Held rather than fetched again: the
    // stream cannot stop one partition alone, so it fetches on while the replay catches up
    const end = this.until?.position[topic]?.[partition];
    if (this.until ? end === undefined || offset >= BigInt(end) : this.held.length > 0) {
      this.held.push(m);
      return;
    }
    this.deliver(m, intake);
  }

  private deliver(m: Msg, intake: Intake): void {
    const { topic, partition, offset } = m;
    let next = this.next.get(topic);
    if (!next) this.next.set(topic, (next = []));
    next[partition] = offset + 1n;
    const where = () => `${topic}-${partition}@${offset}`;
    const text = m.value ? intake.decode(m.value) : ''; // --encoding, and counted when not UTF-8
    if (!this.settings.meta) return intake.message(text, where);
    intake.message(text, where, (value) => ({
      key: m.key?.toString() ?? null,
      value: m.value == null ? null : value,
      headers: Object.fromEntries(m.headerEntries.map(([k, v]) => [k.toString(), v?.toString() ?? null])),
      topic,
      partition,
      offset: Number(offset),
      timestamp: Number(m.timestamp),
    }));
  }

  /**
   * Before each (re)join of the group, so that partitions change hands only at a batch boundary:
   * deliver nothing more and wait until the open batch has gone through the sinks and its offsets
   * are committed; whoever gets a partition next starts right after what this member counted. The
   * wait stays under the session timeout, or the group would drop this member meanwhile.
   */
  private async settle(): Promise<Buffer> {
    const until = this.position();
    if (this.settings.group && this.uncommitted(until)) {
      this.draining = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.sessionMs / 2);
        this.settled = { until, done: () => (clearTimeout(timer), resolve()) };
      });
      this.settled = undefined;
    }
    return Buffer.alloc(0);
  }

  /** Whether some partition this member owns has messages delivered up to `position` but not committed. */
  private uncommitted(position: Position): boolean {
    for (const [topic, partitions] of Object.entries(position)) {
      for (const [p, offset] of Object.entries(partitions)) {
        if (this.owned.get(topic)?.[Number(p)] && offset > (this.done.get(`${topic}:${p}`) ?? -1)) return true;
      }
    }
    return false;
  }

  /** The partitions the group gives this member now; undefined: not a member yet (a session starts). */
  private own(assignments: GroupAssignment[] | undefined): void {
    this.draining = false;
    this.member = assignments !== undefined;
    this.owned = new Map(
      (assignments ?? []).map(({ topic, partitions }) => {
        const owned: boolean[] = [];
        for (const p of partitions) owned[p] = true;
        return [topic, owned];
      }),
    );
    for (const [key, offset] of this.dropped) {
      const [topic, p] = key.split(':') as [string, string];
      const fetching = this.stream?.offsetsToFetch.get(key);
      if (this.owned.get(topic)?.[Number(p)] && fetching !== undefined && fetching > offset) this.stream!.offsetsToFetch.set(key, offset);
    }
    this.dropped.clear();
    // messages held of partitions given away are their next owner's to read; should one come back
    // in this session, the stream fetches it again from the commit, and these must not be skipped
    this.held = this.held.filter((m) => {
      if (this.owned.get(m.topic)?.[m.partition]) return true;
      const seen = this.fetched.get(m.topic)!;
      if (m.offset < seen[m.partition]!) seen[m.partition] = m.offset;
      return false;
    });
    this.release();
    this.checkLimit();
  }

  /**
   * The stream's offsets were (re)set from the group's commits: at the first assignment after
   * seek(), start the partitions this member owns at the checkpoint's offsets instead. The commits
   * may be ahead (the crashed run committed its last batch before checkpointing it), and that batch
   * must be read again from its start. Later assignments, or partitions another member got first,
   * go by the commits: the checkpoint's offsets are stale for them.
   */
  private startAtSeek(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    for (const [key, offset] of this.resumeAt) {
      const [topic, p] = key.split(':') as [string, string];
      if (this.owned.get(topic)?.[Number(p)]) stream.offsetsToFetch.set(key, offset);
    }
    this.resumeAt.clear();
    this.recheck();
  }

  seek(position: unknown): void {
    for (const [topic, partitions] of Object.entries(position as Position)) {
      let next = this.next.get(topic);
      if (!next) this.next.set(topic, (next = []));
      for (const [p, offset] of Object.entries(partitions)) {
        // where the source stands until it delivers more: what the next checkpoint records
        next[Number(p)] = BigInt(offset);
        this.resumeAt.set(`${topic}:${p}`, BigInt(offset));
      }
    }
  }

  limit(until: unknown): Promise<void> {
    if (until === undefined) {
      this.until = undefined;
      this.release();
      this.recheck();
      return Promise.resolve();
    }
    return new Promise((reached) => {
      this.until = { position: until as Position, reached };
      this.checkLimit();
    });
  }

  /**
   * Whether the replay has come to its end: each partition of `until` this member owns has
   * delivered up to its offset, or has been fetched past it with nothing left to deliver below it
   * (the messages just before were deleted meanwhile). Partitions of other members count as done.
   */
  private checkLimit(): void {
    const until = this.until;
    if (!until || !this.member) return;
    const stream = this.stream;
    for (const [topic, partitions] of Object.entries(until.position)) {
      for (const [p, offset] of Object.entries(partitions)) {
        if (!this.owned.get(topic)?.[Number(p)]) continue;
        const end = BigInt(offset);
        if ((this.next.get(topic)?.[Number(p)] ?? -1n) >= end) continue;
        if (stream && stream.readableLength === 0 && (stream.offsetsToFetch.get(`${topic}:${p}`) ?? -1n) >= end) continue;
        return;
      }
    }
    until.reached();
  }

  /**
   * Deliver what the limit held back, once it has lifted and no rebalance is under way (own() does
   * it after one), for as long as the engine does not pause the source: --max-rate holds for it too.
   */
  private release(): void {
    if (this.until || this.draining || !this.intake || !this.held.length) return;
    let i = 0;
    while (i < this.held.length && !this.paused) this.deliver(this.held[i++]!, this.intake);
    this.held = this.held.slice(i);
    this.recheck();
  }

  /** --max-rate is per partition, as Spark's maxRatePerPartition. */
  rateParts(): number {
    let parts = 0;
    for (const owned of this.owned.values()) parts += owned.filter(Boolean).length;
    return parts;
  }

  position(): Position {
    const position: Position = {};
    for (const [topic, offsets] of this.next) {
      const partitions: Record<string, number> = {};
      offsets.forEach((offset, p) => (partitions[p] = Number(offset)));
      position[topic] = partitions;
    }
    return position;
  }

  /** Commit what the sinks have handled, for the partitions this member still owns. */
  async committed(position: unknown): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || !this.settings.group) return;
    const offsets = [];
    for (const [topic, partitions] of Object.entries(position as Position)) {
      for (const [p, offset] of Object.entries(partitions)) {
        const partition = Number(p);
        if (!this.owned.get(topic)?.[partition] || (this.done.get(`${topic}:${p}`) ?? -1) >= offset) continue;
        offsets.push({ topic, partition, offset: BigInt(offset), leaderEpoch: -1 });
      }
    }
    try {
      if (offsets.length) await consumer.commit({ offsets });
      for (const { topic, partition, offset } of offsets) this.done.set(`${topic}:${partition}`, Number(offset));
      if (this.commitFailing) note(`${this.label}: committing offsets again`);
      this.commitFailing = false;
      if (this.settled && !this.uncommitted(this.settled.until)) this.settled.done();
    } catch (err) {
      // not fatal: a later batch commits these offsets too, or the partition's next owner reads
      // its messages again (at least once)
      if (!this.commitFailing) note(`${this.label}: cannot commit offsets (${reason(err)}); the next batch will try again`);
      this.commitFailing = true;
      this.settled?.done();
    }
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.release();
    if (!this.paused) this.stream?.resume(); // the stream stays paused while older messages are held
  }

  /**
   * The first call ends reading; the consumer stays in the group for the last batch's commit, and
   * leaves it at the engine's final call, once run() has returned.
   */
  stop(): void {
    this.stopped.abort();
    void this.stream?.close();
    if (this.finished) void this.closeConsumer();
  }

  private async closeConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.stream = undefined;
    await consumer?.close(true).catch(() => {});
  }
}
