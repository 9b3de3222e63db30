// `kafka://BROKERS/TOPIC`: produce each batch to a topic with an idempotent producer, acknowledged by
// all in-sync replicas. A pair's key becomes the message key, so equal keys land in one partition
// (what a keyed second stage relies on); end() resolves once the cluster has the whole batch.

import type { MessageToProduce, Producer } from '@platformatic/kafka';
import { IoError, UsageError } from '../engine/errors.ts';
import { CLIENT, existingTopics, kafkaClient, kafkaTarget, whileUnreachable } from '../engine/kafka-cluster.ts';
import { choiceOption } from '../engine/uri-options.ts';
import type { Sink, SinkDef } from './sink.ts';

/** A produce request's size: under the broker's default limit on a batch of messages (1 MiB). */
const REQUEST_BYTES = 512 * 1024;

type Out = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

export const kafka: SinkDef = {
  scheme: 'kafka',
  usage: 'kafka://BROKERS/TOPIC',
  summary: 'produce each record (a pair: message key and value), idempotent, acks=all; ?create=true[&partitions=N] creates the topic',
  create(rest, options, uri): Sink {
    const { brokers, topics, params } = kafkaTarget(rest, uri, ['create', 'partitions']);
    if (topics.length > 1) throw new UsageError(`${uri}: a sink writes to one topic, not ${topics.length}`);
    const topic = topics[0]!;
    const create = choiceOption(params, 'create', ['false', 'true'], uri) === 'true';
    const partitions = Number(params.get('partitions') ?? 1);
    if (!Number.isInteger(partitions) || partitions < 1) throw new UsageError(`${uri}: partitions must be a whole number >= 1`);
    if (params.has('partitions') && !create) throw new UsageError(`${uri}: partitions is for a topic sluice creates: add create=true`);

    const closed = new AbortController();
    const { render, withTime } = options;
    let producer: Producer | undefined;
    let ready: Promise<unknown> | undefined;
    let prefix = '';
    /** The open batch, cut into produce requests. */
    let requests: Out[][] = [];
    let bytes = 0;

    /** Connects, and checks the topic is there (or creates it) before the first batch goes out. */
    const connect = async () => {
      const exist = await existingTopics(brokers, [topic], create ? { partitions } : undefined);
      if (!exist.has(topic)) throw new IoError(`${uri}: topic '${topic}' does not exist; create it, or add ?create=true to the URI`);
      const { compatibilityPartitioner, Producer, ProduceAcks } = await kafkaClient();
      producer = new Producer({
        ...CLIENT,
        bootstrapBrokers: brokers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        // Java's partitioner for keys, so that other producers of the same keys agree; round robin without
        partitioner: (message, key) => (key ? compatibilityPartitioner(message, key) : roundRobin++),
      });
    };
    let roundRobin = 0;

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        requests = [[]];
        bytes = 0;
      },
      push(rec) {
        let key: Buffer | undefined;
        let value: Buffer;
        if (Array.isArray(rec) && rec.length === 2) {
          const k: unknown = rec[0];
          if (k != null) key = Buffer.from(typeof k === 'string' ? k : JSON.stringify(k));
          value = Buffer.from(prefix + render(rec[1]));
        } else {
          value = Buffer.from(prefix + render(rec));
        }
        const size = value.length + (key?.length ?? 0);
        if (bytes + size > REQUEST_BYTES && requests.at(-1)!.length) {
          requests.push([]);
          bytes = 0;
        }
        requests.at(-1)!.push({ topic, key, value });
        bytes += size;
      },
      async end() {
        const batch = requests.filter((r) => r.length);
        requests = [[]];
        if (!batch.length) return;
        ready ??= whileUnreachable(uri, closed.signal, connect);
        await ready;
        // one request at a time keeps the order of messages, and a retried request cannot overtake
        for (const messages of batch) {
          await whileUnreachable(uri, closed.signal, () => producer!.send({ messages }));
        }
      },
      async close() {
        await producer?.close();
      },
      abort() {
        closed.abort();
      },
    };
  },
};
