// `nats://HOST:PORT/SUBJECT`: a core NATS subscription (a live stream, like tcp:), and
// `nats+js://HOST:PORT/STREAM`: a JetStream consumer, each message acknowledged only once every sink
// has handled the batch; a durable consumer (`?durable=NAME`) is given again after a crash what it
// had not acknowledged (at least once).

import type { ConsumerMessages, JsMsg, Msg, NatsConnection, Subscription } from 'nats';
import { IoError, messageOf } from '../../core/errors.ts';
import { brokerTarget, natsClient, natsConnect, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import type { Intake, SourceDef } from './source.ts';

/** Messages a consumer sluice creates may have unacknowledged: a batch holds at most this many. */
export const JS_MAX_ACK_PENDING = 65536;

export const nats: SourceDef<BrokerTarget> = {
  scheme: 'nats',
  usage: 'nats://HOST[:PORT]/SUBJECT',
  summary: 'a core NATS subscription (wildcards * and >): a live stream',
  params: [{ name: 'queue', value: { kind: 'string', metavar: 'Q' }, summary: 'join a queue group: each message goes to one of its members' }],
  target: brokerTarget(4222, 'nats://HOST[:PORT]/SUBJECT, e.g. nats://localhost:4222/logs.>', 'subject'),
  create(target, params, uri) {
    return new NatsSource(redact(uri), target, { kind: 'core', subject: target.name, queue: params.queue as string | undefined });
  },
};

const jsStream = brokerTarget(4222, 'nats+js://HOST[:PORT]/STREAM, e.g. nats+js://localhost:4222/EVENTS?durable=sluice', 'stream');

export const natsJs: SourceDef<BrokerTarget> = {
  scheme: 'nats+js',
  usage: 'nats+js://HOST[:PORT]/STREAM',
  summary: 'a JetStream consumer; messages acknowledged once the sinks succeed',
  params: [
    { name: 'durable', value: { kind: 'string', metavar: 'NAME' }, summary: 'a durable consumer, created if missing: a restart goes on where it was acknowledged (without: a new one each run)' },
    { name: 'from', value: { kind: 'choice', choices: ['latest', 'earliest'] }, default: 'latest', summary: 'where a consumer sluice creates starts' },
    { name: 'ack-wait', value: { kind: 'duration', metavar: 'DUR' }, default: '30s', summary: 'how long the server waits for an acknowledgement before it delivers a message again, for a consumer sluice creates: more than a batch takes' },
  ],
  target(path, params, problem) {
    const target = jsStream(path, params, problem);
    if (/[.*> ]/.test(target.name)) problem(`'${target.name}' is not a stream name (no '.', '*', '>' or spaces): the path names a stream, not a subject`);
    return target;
  },
  create(target, params, uri) {
    return new NatsSource(redact(uri), target, {
      kind: 'js',
      stream: target.name,
      durable: params.durable as string | undefined,
      from: params.from as 'latest' | 'earliest',
      ackWaitMs: params['ack-wait'] as number,
    });
  },
};

type Reading = { kind: 'core'; subject: string; queue: string | undefined } | { kind: 'js'; stream: string; durable: string | undefined; from: 'latest' | 'earliest'; ackWaitMs: number };

class NatsSource extends BrokerSource<JsMsg> {
  private readonly target: BrokerTarget;
  private readonly reading: Reading;
  private nc: NatsConnection | undefined;
  private messages: Subscription | ConsumerMessages | undefined;

  constructor(label: string, target: BrokerTarget, reading: Reading) {
    super(label);
    this.target = target;
    this.reading = reading;
  }

  async run(intake: Intake): Promise<void> {
    const connecting = natsConnect(this.label, this.target, this.stopped.signal);
    const nc = (await connecting.catch((err) => Promise.reject(new IoError(`${this.label}: ${messageOf(err)}`, { cause: err }))))?.nc;
    if (!nc) return;
    this.nc = nc;
    const reading = this.reading;
    if (reading.kind === 'core') {
      const sub = nc.subscribe(reading.subject, { queue: reading.queue });
      this.messages = sub;
      await this.each(sub, (m: Msg) => {
        intake.message(m.string(), () => `${this.label} (subject ${m.subject})`);
        this.unacked.skip();
      });
      return;
    }
    const js = nc.jetstream();
    const consumer = await this.consumer(nc);
    const messages = await (await js.consumers.get(reading.stream, consumer)).consume({ max_messages: 1000 });
    this.messages = messages;
    await this.each(messages, (m: JsMsg) => {
      intake.message(m.string(), () => `${this.label}@${m.seq}`);
      this.unacked.add(m);
    });
  }

  /** The consumer to read from: the durable one, created if missing, or a new one for this run. */
  private async consumer(nc: NatsConnection): Promise<string> {
    const reading = this.reading as Extract<Reading, { kind: 'js' }>;
    const { AckPolicy, DeliverPolicy } = await natsClient();
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(reading.stream);
    } catch (err) {
      throw new IoError(`${this.label}: no stream '${reading.stream}' (${messageOf(err)}); create it first (nats stream add)`, { cause: err });
    }
    if (reading.durable) {
      const exists = await jsm.consumers.info(reading.stream, reading.durable).then(() => true, () => false);
      if (exists) return reading.durable;
    }
    const info = await jsm.consumers.add(reading.stream, {
      durable_name: reading.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: reading.from === 'earliest' ? DeliverPolicy.All : DeliverPolicy.New,
      max_ack_pending: JS_MAX_ACK_PENDING,
      ack_wait: reading.ackWaitMs * 1e6,
      // a consumer of one run only goes once nothing has read from it for a while
      ...(reading.durable ? {} : { inactive_threshold: 60e9 }),
    });
    return info.name;
  }

  /** Hand every message to `deliver`, waiting while paused; ends with the subscription. */
  private async each<M>(messages: AsyncIterable<M>, deliver: (m: M) => void): Promise<void> {
    for await (const m of messages) {
      deliver(m);
      await this.whilePaused();
      if (this.stopped.signal.aborted) break;
    }
  }

  committed(position: unknown): void {
    for (const m of this.unacked.take(position)) m.ack();
  }

  protected endReading(): void {
    const m = this.messages;
    if (m) void ('unsubscribe' in m ? m.unsubscribe() : m.close());
  }

  protected close(): void {
    void this.nc?.drain().catch(() => {});
  }
}
