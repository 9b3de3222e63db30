// `kafka://BROKERS/TOPIC`: produce each batch to a topic with an idempotent producer, acknowledged by
// all in-sync replicas. A pair's key becomes the message key, so equal keys land in one partition
// (what a keyed second stage relies on). Requests go out as they fill up, in order; end() resolves
// once the cluster has the whole batch.

import type { MessageToProduce, Producer } from '@platformatic/kafka';
import { IoError } from '../../core/errors.ts';
import { CLIENT, existingTopics, kafkaClient, kafkaTarget, whileUnreachable, type KafkaTarget } from '../kafka-cluster.ts';
import { keyText } from '../render/format.ts';
import { OrderedRequests } from './requests.ts';
import type { Sink, SinkDef } from './sink.ts';

/** A produce request's size: under the broker's default limit on a batch of messages (1 MiB). */
const REQUEST_BYTES = 768 * 1024;
/** What a message costs in a request beyond its key and value (lengths, offset and time deltas). */
const RECORD_OVERHEAD = 16;

type Out = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

export const kafka: SinkDef<KafkaTarget> = {
  scheme: 'kafka',
  usage: 'kafka://BROKERS/TOPIC',
  summary: 'produce each record (a pair: message key and value), idempotent, acks=all',
  params: [
    { name: 'create', value: { kind: 'flag' }, default: 'false', summary: 'create the topic if it does not exist' },
    { name: 'partitions', value: { kind: 'int', min: 1, metavar: 'N' }, summary: 'the partitions of a topic sluice creates (1)' },
  ],
  target(path, params, problem) {
    const target = kafkaTarget(path, params, problem);
    if (target.topics.length > 1) problem(`a sink writes to one topic, not ${target.topics.length}`);
    if (params.partitions !== undefined && !params.create) problem('partitions is for a topic sluice creates: add create=true');
    return target;
  },
  create({ brokers, topics }, params, options, uri): Sink {
    const topic = topics[0]!;
    const create = params.create as boolean;
    const partitions = (params.partitions as number | undefined) ?? 1;

    const closed = new AbortController();
    const { render, withTime, pressure } = options;
    let producer: Producer | undefined;
    let roundRobin = 0;
    let prefix = '';
    /** Checks the topic is there (or creates it), then connects: once, before the first request. */
    const connect = async () => {
      const exist = await existingTopics(brokers, [topic], create ? { partitions } : undefined);
      if (!exist.has(topic)) throw new IoError(`topic '${topic}' does not exist; create it, or add ?create=true to the URI`);
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
    let connected: Promise<unknown> | undefined;

    const requests = new OrderedRequests<Out>(
      async (messages) => {
        await (connected ??= whileUnreachable(uri, closed.signal, connect));
        await whileUnreachable(uri, closed.signal, () => producer!.send({ messages }));
      },
      { bytes: REQUEST_BYTES },
      pressure,
    );

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        requests.begin();
      },
      push(rec) {
        let key: Buffer | undefined;
        let value: Buffer;
        if (Array.isArray(rec) && rec.length === 2) {
          const k: unknown = rec[0];
          if (k != null) key = Buffer.from(keyText(k));
          value = Buffer.from(prefix + render(rec[1]));
        } else {
          value = Buffer.from(prefix + render(rec));
        }
        requests.add({ topic, key, value }, value.length + (key?.length ?? 0) + RECORD_OVERHEAD);
      },
      end: () => requests.end(),
      async close() {
        await producer?.close();
      },
      abort() {
        closed.abort();
      },
    };
  },
};
