// Broker URIs: HOST[:PORT]/NAME with default ports and credentials, an MQTT filter's '#' kept, a
// password never in a message, and a pair's key put in a topic or subject.

import { describe, expect, it } from 'vitest';
import { keyedTarget } from './brokers.ts';
import { sinkFor } from './sinks/index.ts';
import { sourceFor } from './sources/index.ts';
import { redactedUri } from './uri.ts';

describe('broker URIs', () => {
  it('take HOST[:PORT]/NAME, with the default port and decoded credentials', () => {
    expect(sourceFor('mqtt://127.0.0.1/sensors/#').target).toEqual({ host: '127.0.0.1', port: 1883, name: 'sensors/#', user: undefined, password: undefined });
    expect(sourceFor('amqp://me:s%40cret@[::1]:5673/logs').target).toMatchObject({ host: '::1', port: 5673, name: 'logs', user: 'me', password: 's@cret' });
    expect(sourceFor('mqtt://h/a/+/b/#?qos=0')).toMatchObject({ path: 'h/a/+/b/#', values: { qos: '0' } });
  });

  it('refuse a bad address without showing the password', () => {
    expect(() => sourceFor('amqp://me:pw@h:99999/q')).toThrow('amqp://me:***@h:99999/q: expected amqp://USER:PASS@HOST[:PORT]/QUEUE, e.g. amqp://guest:guest@localhost/logs');
    expect(redactedUri('redis://:pw@h/s?group=g')).toBe('redis://:***@h/s?group=g');
    expect(() => sourceFor('amqp://me:pw@h/q?prefetch=0')).toThrow('amqp://me:***@h/q?prefetch=0: prefetch: needs a whole number >= 1 and <= 65535');
  });

  it('refuse, as lint does, every problem of the name part at once, one URI in the message', () => {
    expect(() => sourceFor('redis://h')).toThrow('redis://h: no stream; expected redis://HOST[:PORT]/STREAM?group=G, e.g. redis://localhost:6379/events?group=sluice; a source needs ?group=G');
    expect(() => sinkFor('nats://h/a.*')).toThrow("nats://h/a.*: 'a.*' has a wildcard; a message goes to one subject");
    expect(() => sinkFor('mqtt://h')).toThrow('mqtt://h: no topic; give one after the address or as ?topic=T');
    expect(() => sourceFor('nats+js://h/a.b')).toThrow("nats+js://h/a.b: 'a.b' is not a stream name");
  });

  it("put a pair's key where {key} is, the value becoming the message", () => {
    expect(keyedTarget('sensors/{key}', ['kitchen', { t: 21 }])).toEqual({ to: 'sensors/kitchen', value: { t: 21 } });
    expect(keyedTarget('s.{key}', [7, 'x'])).toEqual({ to: 's.7', value: 'x' });
    expect(keyedTarget('fixed', ['k', 'v'])).toEqual({ to: 'fixed', value: ['k', 'v'] });
    expect(() => keyedTarget('s/{key}', 'not a pair')).toThrow(`{key} in 's/{key}' needs pairs [key, value], not "not a pair"`);
  });
});
