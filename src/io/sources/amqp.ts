// `amqp://USER:PASS@HOST:PORT/QUEUE`: consume a RabbitMQ queue (declared durable if missing) with
// manual acknowledgements, each message one record, acknowledged only once every sink has handled
// the batch; what a crashed run or a lost connection had not acknowledged the broker delivers again
// (at least once). `?prefetch` bounds what is unacknowledged, and so a batch.

import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, amqpOpen, brokerTarget, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import type { Intake, SourceDef } from './source.ts';

/** The target rule of amqp:// URIs, a source's and a sink's. */
export const amqpQueue = brokerTarget(5672, 'amqp://USER:PASS@HOST[:PORT]/QUEUE, e.g. amqp://guest:guest@localhost/logs', 'queue');

export const amqp: SourceDef<BrokerTarget> = {
  scheme: 'amqp',
  usage: 'amqp://USER:PASS@HOST/QUEUE',
  summary: 'consume a queue (RabbitMQ), acknowledged once the sinks succeed',
  params: [
    { name: 'prefetch', value: { kind: 'int', min: 1, max: 65535, metavar: 'N' }, default: '10000', summary: 'messages the broker may have unacknowledged with sluice: a batch holds at most this many' },
    { name: 'vhost', value: { kind: 'string', metavar: 'V' }, summary: 'the virtual host (/)' },
  ],
  target: amqpQueue,
  create(target, params, uri) {
    return new AmqpSource(redact(uri), target, target.name, params.prefetch as number, params.vhost as string | undefined);
  },
};

class AmqpSource extends BrokerSource<ConsumeMessage> {
  private readonly target: BrokerTarget;
  private readonly queue: string;
  private readonly prefetch: number;
  private readonly vhost: string | undefined;
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;
  /** Messages that came while paused, delivered on resume (the prefetch bounds them). */
  private held: ConsumeMessage[] = [];
  private intake: Intake | undefined;

  constructor(label: string, target: BrokerTarget, queue: string, prefetch: number, vhost: string | undefined) {
    super(label);
    this.target = target;
    this.queue = queue;
    this.prefetch = prefetch;
    this.vhost = vhost;
  }

  async run(intake: Intake): Promise<void> {
    this.intake = intake;
    const { signal } = this.stopped;
    let failures = 0;
    while (!signal.aborted) {
      let lost: string | undefined;
      try {
        const { connection, channel } = await amqpOpen(this.target, this.vhost, this.queue, false);
        this.connection = connection;
        this.channel = channel;
        if (failures) note(`${this.label}: connected`);
        failures = 0;
        const closed = new Promise<string>((resolve) => {
          connection.once('close', (err?: Error) => resolve(err ? messageOf(err) : 'closed by the broker'));
          connection.on('error', () => {}); // its 'close' follows
          signal.addEventListener('abort', () => resolve(''), { once: true });
        });
        await channel.prefetch(this.prefetch);
        await channel.consume(this.queue, (m) => m && this.receive(m));
        lost = await closed;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // the broker's refusal (a bad password, a queue declared otherwise) does not pass by retrying
        if (typeof code === 'number' || /ACCESS.REFUSED|PRECONDITION.FAILED/.test(messageOf(err))) throw new IoError(`${this.label}: ${messageOf(err)}`, { cause: err });
        if (failures === 0) note(`${this.label}: cannot reach the broker (${messageOf(err)}); retrying with backoff until it is up`);
      }
      if (signal.aborted) return;
      if (lost !== undefined) note(`${this.label}: connection lost (${lost}); reconnecting`);
      // what the connection delivered and sluice had not acknowledged, the broker delivers again
      this.unacked.clear();
      this.held = [];
      this.channel = undefined;
      await wait(backoffMs(failures++, Math.random, BROKER_RETRY), signal);
    }
  }

  private receive(m: ConsumeMessage): void {
    if (this.stopped.signal.aborted) return;
    if (this.paused) {
      this.held.push(m);
      return;
    }
    this.intake!.message(m.content.toString(), () => `${this.label}#${m.fields.deliveryTag}`);
    this.unacked.add(m);
  }

  /** One ack for the batch: everything up to its last message, delivered in order on one channel. */
  committed(position: unknown): void {
    const last = this.unacked.take(position).at(-1);
    if (last && this.channel) this.channel.ack(last, true);
  }

  resume(): void {
    super.resume();
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      if (this.paused) {
        this.held = held.slice(i).concat(this.held);
        return;
      }
      this.receive(held[i]!);
    }
  }

  /** What still comes is not delivered: the broker gives it again. */
  protected endReading(): void {
    this.paused = true;
  }

  protected close(): void {
    void this.connection?.close().catch(() => {});
  }
}
