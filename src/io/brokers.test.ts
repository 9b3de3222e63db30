// Broker URIs: HOST[:PORT]/NAME with default ports and credentials, an MQTT filter's '#' kept, a
// password never in a message, and a pair's key put in a topic or subject.

import { describe, expect, it } from 'vitest';
import { brokerTarget, keyedTarget } from './brokers.ts';
import { sourceFor } from './sources/index.ts';
import { redactedUri } from './uri.ts';

describe('broker URIs', () => {
  it('take HOST[:PORT]/NAME, with the default port and decoded credentials', () => {
    expect(brokerTarget('127.0.0.1/sensors/#', 'mqtt://127.0.0.1/sensors/#', 1883, 'x')).toEqual({ host: '127.0.0.1', port: 1883, name: 'sensors/#', user: undefined, password: undefined });
    expect(brokerTarget('me:s%40cret@[::1]:5673/logs', 'amqp://me:s%40cret@[::1]:5673/logs', 5672, 'x')).toMatchObject({ host: '::1', port: 5673, name: 'logs', user: 'me', password: 's@cret' });
    expect(sourceFor('mqtt://h/a/+/b/#?qos=0')).toMatchObject({ path: 'h/a/+/b/#', values: { qos: '0' } });
  });

  it('refuse a bad address without showing the password', () => {
    expect(() => brokerTarget('me:pw@h:99999/q', 'amqp://me:pw@h:99999/q', 5672, 'amqp://USER:PASS@HOST/QUEUE')).toThrow('amqp://me:***@h:99999/q: expected amqp://USER:PASS@HOST/QUEUE');
    expect(redactedUri('redis://:pw@h/s?group=g')).toBe('redis://:***@h/s?group=g');
    expect(() => sourceFor('amqp://me:pw@h/q?prefetch=0')).toThrow('amqp://me:***@h/q?prefetch=0: prefetch: needs a whole number >= 1 and <= 65535');
  });

  it("put a pair's key where {key} is, the value becoming the message", () => {
    expect(keyedTarget('sensors/{key}', ['kitchen', { t: 21 }], 'l')).toEqual({ to: 'sensors/kitchen', value: { t: 21 } });
    expect(keyedTarget('s.{key}', [7, 'x'], 'l')).toEqual({ to: 's.7', value: 'x' });
    expect(keyedTarget('fixed', ['k', 'v'], 'l')).toEqual({ to: 'fixed', value: ['k', 'v'] });
    expect(() => keyedTarget('s/{key}', 'not a pair', 'mqtt://h')).toThrow(`mqtt://h: {key} in 's/{key}' needs pairs [key, value], not "not a pair"`);
  });
});
