// `amqp://USER:PASS@HOST:PORT/QUEUE`: publish each record to a queue (declared durable if missing) as
// a persistent message on a confirm channel, in chunks published as they fill, each confirmed by the broker;
// a chunk whose confirms do not all come (the connection lost) is sent again whole (at least once).

import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { note } from '../../core/report.ts';
import { backoffMs, wait } from '../../core/backoff.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, amqpOpen, type BrokerTarget } from '../brokers.ts';
import { amqpQueue } from '../sources/amqp.ts';
import { redactedUri as redact } from '../uri.ts';
import type { Sink, SinkDef } from './sink.ts';

/** Messages sent before waiting for their confirms. */
const CHUNK = 2000;

export const amqp: SinkDef<BrokerTarget> = {
  scheme: 'amqp',
  usage: 'amqp://USER:PASS@HOST/QUEUE',
  summary: 'publish each record to a queue, persistent, confirmed by the broker',
  params: [{ name: 'vhost', value: { kind: 'string', metavar: 'V' }, summary: 'the virtual host (/)' }],
  target: amqpQueue,
  create(target, params, options, uri): Sink {
    const label = redact(uri);
    const queue = target.name;
    const { render, withTime, pressure } = options;
    const closed = new AbortController();
    let open: { connection: ChannelModel; channel: ConfirmChannel } | undefined;
    let prefix = '';
    let chunk: Buffer[] = [];
    let sent: Promise<void>[] = [];
    let unsent = 0;

    /** The connection and its channel, opened once and again after it is lost. */
    let opening: Promise<{ connection: ChannelModel; channel: ConfirmChannel }> | undefined;
    const channel = async () => {
      opening ??= amqpOpen(target, params.vhost as string | undefined, queue, true).then((o) => {
        o.connection.on('error', () => {}); // its 'close' follows
        o.connection.once('close', () => mine === opening && (opening = undefined));
        return o;
      });
      const mine = opening;
      mine.catch(() => mine === opening && (opening = undefined));
      return (open = await mine).channel;
    };
    /** Publish `messages`, resolving once the broker has confirmed each of them. */
    const publish = (ch: ConfirmChannel, messages: Buffer[]) =>
      Promise.all(
        messages.map(
          (m) => new Promise<void>((resolve, reject) => void ch.sendToQueue(queue, m, { persistent: true }, (err) => (err ? reject(err) : resolve()))),
        ),
      );
    const deliver = async (messages: Buffer[]) => {
      for (let failures = 0; !closed.signal.aborted; failures++) {
        try {
          await publish(await channel(), messages);
          if (failures) note(`${label}: connected`);
          return;
        } catch (err) {
          if (/ACCESS.REFUSED|PRECONDITION.FAILED/.test(messageOf(err))) throw new IoError(messageOf(err), { cause: err });
          if (failures === 0) note(`${label}: cannot publish (${messageOf(err)}); retrying with backoff until the broker is up`);
          // a channel that failed is not used again: the next try opens a new connection
          const failed = opening;
          opening = undefined;
          void failed?.then((o) => o.connection.close()).catch(() => {});
          await wait(backoffMs(failures, Math.random, BROKER_RETRY), closed.signal);
        }
      }
    };
    /** Chunks are published as they fill and confirmed in parallel; past a few unconfirmed, the sources wait. */
    const send = () => {
      const p = deliver(chunk);
      chunk = [];
      unsent++;
      p.catch(() => {}).finally(() => unsent--);
      sent.push(p);
      if (unsent > 4) pressure.hold(Promise.allSettled(sent.slice(-4)));
    };

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        sent = [];
      },
      push(rec) {
        chunk.push(Buffer.from(prefix + render(rec)));
        if (chunk.length >= CHUNK) send();
      },
      async end() {
        if (chunk.length) send();
        await Promise.all(sent);
      },
      async close() {
        await open?.connection.close().catch(() => {});
      },
      abort() {
        closed.abort();
        void open?.connection.close().catch(() => {});
      },
    };
  },
};
