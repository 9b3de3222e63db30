// `mqtt://HOST:PORT/FILTER?qos=0|1`: subscribe to a topic filter (`+` and `#` wildcards), each message
// one record. At QoS 1 the PUBACKs go back, in order, only once every sink has handled the batch;
// with `?client-id` the session persists, so what a crashed run had not acknowledged comes again
// (at least once). QoS 0 is a live stream, like tcp:.

import type { MqttClient } from 'mqtt';
import { note } from '../../core/report.ts';
import { IoError, messageOf } from '../../core/errors.ts';
import { BROKER_RETRY, brokerTarget, mqttClient, type BrokerTarget } from '../brokers.ts';
import { redactedUri as redact } from '../uri.ts';
import { BrokerSource } from './broker-source.ts';
import type { Intake, SourceDef } from './source.ts';

const EXAMPLE = 'mqtt://HOST[:PORT]/FILTER, e.g. mqtt://localhost:1883/sensors/#';

/** QoS 1 messages the broker may have in flight to sluice: a batch holds at most this many (MQTT 5's Receive Maximum). */
export const MQTT_IN_FLIGHT = 65535;

export const mqtt: SourceDef<BrokerTarget> = {
  scheme: 'mqtt',
  usage: 'mqtt://HOST[:PORT]/TOPIC',
  summary: 'subscribe to a topic filter; QoS 1 acknowledged once the sinks succeed',
  params: [
    { name: 'qos', value: { kind: 'choice', choices: ['0', '1'] }, default: '1', summary: '1: at least once, acknowledged after the sinks; 0: a live stream' },
    { name: 'client-id', value: { kind: 'string', metavar: 'ID' }, summary: 'a persistent session under this id: what a stopped or crashed run left unacknowledged comes again (without: a new session each run)' },
  ],
  target: brokerTarget(1883, EXAMPLE, 'topic filter'),
  create(target, params, uri) {
    return new MqttSource(redact(uri), { ...target, qos: Number(params.qos) as 0 | 1, clientId: params['client-id'] as string | undefined });
  },
};

interface Settings {
  host: string;
  port: number;
  name: string;
  user?: string;
  password?: string;
  qos: 0 | 1;
  clientId: string | undefined;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void) => void;

class MqttSource extends BrokerSource<number> {
  private readonly settings: Settings;
  private client: MqttClient | undefined;
  private sendPacket: SendPacket | undefined;

  constructor(label: string, settings: Settings) {
    super(label);
    this.settings = settings;
  }

  async run(intake: Intake): Promise<void> {
    const { host, port, name, user, password, qos, clientId } = this.settings;
    const { connect } = await mqttClient();
    const client = connect({
      host,
      port,
      username: user,
      password,
      protocolVersion: 5,
      clientId: clientId ?? `sluice-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      clean: clientId === undefined,
      // a persistent session outlives the connection (MQTT 5 ends it with the connection by default)
      properties: { receiveMaximum: MQTT_IN_FLIGHT, ...(clientId === undefined ? {} : { sessionExpiryInterval: 0xffffffff }) },
      reconnectPeriod: BROKER_RETRY.maxMs / 5,
      connectTimeout: 5000,
    });
    this.client = client;
    // mqtt.js sends a PUBACK as soon as a message is handled and handles one message at a time:
    // its PUBACKs are kept here instead, and sent in order once the batch is through the sinks
    const internals = client as unknown as { _sendPacket: SendPacket };
    const send = internals._sendPacket.bind(client);
    this.sendPacket = send;
    internals._sendPacket = (packet, cb) => {
      if (packet.cmd !== 'puback') return send(packet, cb);
      this.unacked.add(packet.messageId!);
      cb?.();
    };
    // mqtt.js handles one message at a time, the next only once handleMessage calls back (reading no
    // more meanwhile): a paused source (its batch's --max-rate budget spent) holds the callback until resumed
    client.handleMessage = (_packet, done) => {
      if (this.paused) void this.whilePaused().then(() => done());
      else done();
    };
    let down = false;
    let subscribed = false;
    await new Promise<void>((resolve, reject) => {
      this.stopped.signal.addEventListener('abort', () => resolve(), { once: true });
      const fail = (err: unknown) => {
        reject(new IoError(`${this.label}: ${messageOf(err)}`, { cause: err }));
        client.end(true);
      };
      client.on('connect', (connack) => {
        if (down) note(`${this.label}: connected`);
        down = false;
        // unacknowledged messages of the connection lost come again, under the same or new ids
        this.unacked.clear();
        if (subscribed && connack.sessionPresent) return;
        client.subscribe(name, { qos }, (err, granted) => {
          if (err) return fail(err);
          if (granted?.some((g) => g.qos > 2)) return fail(new Error(`the broker refused the subscription to '${name}'`));
          subscribed = true;
        });
      });
      client.on('error', (err) => {
        // a refusal from the broker (bad credentials, a bad client id) will not go away by retrying
        if (typeof (err as { code?: unknown }).code === 'number') return fail(err);
        if (!down) note(`${this.label}: cannot reach the broker (${messageOf(err)}); retrying with backoff until it is up`);
        down = true;
      });
      client.on('offline', () => {
        if (!down) note(`${this.label}: connection lost; reconnecting`);
        down = true;
      });
      client.on('message', (topic, payload) => {
        intake.message(payload.toString(), () => `${this.label} (topic ${topic})`);
        if (qos === 0) this.unacked.skip();
      });
    });
  }

  committed(position: unknown): void {
    for (const messageId of this.unacked.take(position)) this.sendPacket?.({ cmd: 'puback', messageId });
  }

  /** Messages stop being handed on (the socket stays open for the PUBACKs). */
  protected endReading(): void {
    this.client?.removeAllListeners('message');
  }

  protected close(): void {
    this.client?.end(false);
  }
}
