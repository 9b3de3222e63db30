// `zmq+pub://HOST:PORT` and `zmq+push://HOST:PORT`: send each record as a ZeroMQ message, one frame
// (its line), or two with `?topic=T` (the topic first, `{key}` in it for a pair's key). A batch is
// done once ZeroMQ has queued every message: at most once, as ZeroMQ acknowledges nothing. A PUB
// drops what a subscriber is too slow or too late for (its high-water mark); a PUSH waits for a
// peer and holds the sources back while it cannot send.

import type { Publisher, Push } from 'zeromq';
import { IoError, messageOf } from '../../core/errors.ts';
import { keyedTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import { attach, ZMQ_PARAMS, zmqClient, zmqTarget, type ZmqTarget } from '../zmq.ts';
import type { Sink, SinkDef, SinkOptions } from './sink.ts';

/** Messages waiting to be queued in ZeroMQ before the sink holds the sources back. */
const MAX_WAITING = 4096;

/** How long what ZeroMQ still queues at the end may take to go out before sluice exits without it. */
const LINGER_MS = 2000;

const TOPIC = { name: 'topic', value: { kind: 'string', metavar: 'T' }, summary: "send each message as two frames, T and the line; {key} in T for a pair's key (the line is then its value)" } as const;

export const zmqPub = zmqSinkDef('pub', 'send each record on a ZeroMQ PUB socket (what no subscriber takes in time is dropped)');
export const zmqPush = zmqSinkDef('push', 'send each record on a ZeroMQ PUSH socket (waiting while no PULL peer takes it)');

function zmqSinkDef(kind: 'pub' | 'push', summary: string): SinkDef<ZmqTarget> {
  return {
    scheme: `zmq+${kind}`,
    usage: `zmq+${kind}://HOST:PORT`,
    summary,
    params: [TOPIC, ...ZMQ_PARAMS],
    target: zmqTarget(`zmq+${kind}`),
    create: (target, params, options, uri) => zmqSink(target, params.topic as string | undefined, options, uri, kind),
  };
}

function zmqSink(target: ZmqTarget, topic: string | undefined, options: SinkOptions, uri: string, kind: 'pub' | 'push'): Sink {
  const label = redact(uri);
  const { render, withTime, pressure } = options;
  let socket: Publisher | Push | undefined;
  let prefix = '';
  /** Messages of the batch in order, those before `head` sent. */
  let queue: (string | string[])[] = [];
  let head = 0;
  let failure: unknown;
  /** The writer's run while it has messages to send; resolves once they are all queued in ZeroMQ. */
  let writing: Promise<void> | undefined;
  let release: (() => void) | undefined;

  // bound (or connecting) from the start, so that peers can come before the first batch
  const opening = (async () => {
    const { Publisher, Push } = await zmqClient();
    const s = kind === 'pub' ? new Publisher() : new Push();
    s.sendHighWaterMark = target.hwm;
    try {
      await attach(s, target, label);
    } catch (err) {
      s.close();
      throw err;
    }
    return (socket = s);
  })();
  opening.catch(() => {}); // end() reports it

  const write = async () => {
    try {
      const s = await opening;
      // one send at a time: a socket takes the next once the last is queued
      while (head < queue.length) {
        await s.send(queue[head++]!);
        if (head >= MAX_WAITING && head * 2 > queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        if (release && queue.length - head <= MAX_WAITING / 2) release();
      }
    } catch (err) {
      failure ??= err;
    } finally {
      queue = [];
      head = 0;
      writing = undefined;
      release?.();
    }
  };

  return {
    begin(t) {
      prefix = withTime ? `${t}\t` : '';
      failure = undefined;
    },
    push(rec) {
      if (topic === undefined) queue.push(prefix + render(rec));
      else {
        const { to, value } = keyedTarget(topic, rec);
        queue.push([to, prefix + render(value)]);
      }
      writing ??= write();
      if (queue.length - head >= MAX_WAITING && !release) {
        const caughtUp = new Promise<void>((resolve) => (release = resolve));
        pressure.hold(caughtUp.then(() => (release = undefined)));
      }
    },
    async end() {
      await writing;
      if (failure) throw failure instanceof IoError ? failure : new IoError(messageOf(failure), { cause: failure });
    },
    async close() {
      await writing;
      const s = socket ?? (await opening.catch(() => undefined));
      if (!s) return;
      s.linger = LINGER_MS;
      s.close();
    },
    abort() {
      queue = [];
      head = 0;
      void opening.then((s) => {
        s.linger = 0;
        s.close();
      }, () => {});
    },
  };
}
