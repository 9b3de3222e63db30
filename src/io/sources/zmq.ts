// `zmq+sub://HOST:PORT?topic=T` and `zmq+pull://HOST:PORT`: a ZeroMQ SUB or PULL socket, connected
// to a peer that binds the address (or bound to it, `?bind=true`), each message one record: its last
// frame is the line, a first frame before it the topic or key. A live stream, at most once: ZeroMQ
// acknowledges nothing, so what a stop or crash leaves in a batch is lost. Pausing stops receiving;
// ZeroMQ's high-water mark then applies upstream: a PUB drops what is over it, a PUSH blocks.

import { isUtf8 } from 'node:buffer';
import type { Pull, Subscriber } from 'zeromq';
import { IoError, messageOf } from '../../core/errors.ts';
import { CodecError } from '../codecs/codec.ts';
import { redactedUri as redact } from '../uri.ts';
import { attach, ZMQ_PARAMS, zmqClient, zmqTarget, type ZmqTarget } from '../zmq.ts';
import { BrokerSource } from './broker-source.ts';
import type { Intake, SourceDef } from './source.ts';

const META = { name: 'meta', value: { kind: 'flag' }, default: 'false', summary: 'records {topic, value}: the first frame as text (null for a message of one frame) and the line decoded by --parse' } as const;

export const zmqSub: SourceDef<ZmqTarget> = {
  scheme: 'zmq+sub',
  usage: 'zmq+sub://HOST:PORT',
  summary: 'a ZeroMQ SUB socket: the messages of the topics subscribed to (a live stream)',
  params: [
    { name: 'topic', repeat: true, value: { kind: 'string', metavar: 'T' }, summary: 'subscribe to the messages whose first frame starts with T; repeatable (without: every message)' },
    META,
    ...ZMQ_PARAMS,
  ],
  target: zmqTarget('zmq+sub'),
  create: (target, params, uri) => new ZmqSource(redact(uri), target, params.meta as boolean, params.topic as string[]),
};

export const zmqPull: SourceDef<ZmqTarget> = {
  scheme: 'zmq+pull',
  usage: 'zmq+pull://HOST:PORT',
  summary: 'a ZeroMQ PULL socket: the messages PUSH peers send (a live stream)',
  params: [META, ...ZMQ_PARAMS],
  target: zmqTarget('zmq+pull'),
  create: (target, params, uri) => new ZmqSource(redact(uri), target, params.meta as boolean),
};

class ZmqSource extends BrokerSource<never> {
  private readonly target: ZmqTarget;
  private readonly meta: boolean;
  /** SUB only: the topic prefixes subscribed to ([]: every message). */
  private readonly topics: string[] | undefined;
  private socket: Subscriber | Pull | undefined;

  constructor(label: string, target: ZmqTarget, meta: boolean, topics?: string[]) {
    super(label);
    this.target = target;
    this.meta = meta;
    this.topics = topics;
  }

  async run(intake: Intake): Promise<void> {
    const { Pull, Subscriber } = await zmqClient();
    const socket = this.topics ? new Subscriber() : new Pull();
    this.socket = socket;
    socket.linger = 0;
    socket.receiveHighWaterMark = this.target.hwm;
    if (socket instanceof Subscriber) {
      if (this.topics!.length) for (const t of this.topics!) socket.subscribe(t);
      else socket.subscribe();
    }
    // a frame is text in the run's --encoding: with latin1 any bytes are; a probe of valid UTF-8 tells which (and counts nothing)
    const latin1 = intake.decode(Buffer.from('é')) !== 'é';
    try {
      await attach(socket, this.target, this.label).catch((err) => Promise.reject(new IoError(`${this.label}: ${messageOf(err)}`, { cause: err })));
      const { signal } = this.stopped;
      while (!signal.aborted) {
        await this.whilePaused();
        if (signal.aborted) break;
        let frames: Buffer[];
        try {
          frames = await socket.receive();
        } catch (err) {
          if (signal.aborted) break;
          throw new IoError(`${this.label}: ${messageOf(err)}`, { cause: err });
        }
        this.deliver(intake, frames, latin1);
        this.unacked.skip();
      }
    } finally {
      socket.close();
    }
  }

  /** One message: its last frame the line, a first frame before it the topic; a line that is not text is a bad record. */
  private deliver(intake: Intake, frames: Buffer[], latin1: boolean): void {
    const line = frames[frames.length - 1]!;
    const topic = frames.length > 1 ? frames[0]!.toString() : null;
    const where = () => `${this.label}${topic === null ? '' : ` (topic ${JSON.stringify(topic)})`}`;
    if (!latin1 && !isUtf8(line)) {
      // shown as far as it is text; refused whatever --parse makes of it
      return intake.message(line.toString(), where, () => {
        throw new CodecError(`a frame of ${line.length} bytes that is not UTF-8 text (--encoding latin1 takes any bytes)`);
      });
    }
    const text = intake.decode(line);
    if (!this.meta) return intake.message(text, where);
    intake.message(text, where, (value) => ({ topic, value }));
  }

  committed(): void {}

  /** Receiving ends: the socket closes, and a receive waiting on it returns. */
  protected endReading(): void {
    this.socket?.close();
  }

  protected close(): void {}
}
