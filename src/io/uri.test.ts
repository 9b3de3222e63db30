// URI parameters come from each scheme's table: every documented ?key is accepted, an unknown one is
// refused with the nearest, a bad value says which key and why, and README's table of URIs names
// exactly the parameters the tables have.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ValueKind } from '../core/values.ts';
import { SINKS, sinkFor } from './sinks/index.ts';
import { SOURCES, sourceFor } from './sources/index.ts';
import { redactedUri, type UriDef, type UriParam } from './uri.ts';

/** A URI of each scheme that takes parameters, to hang them on (`source redis`: the source's alone), with those its target rule needs. */
const EXAMPLE: Record<string, string> = {
  tail: 'tail:/var/log/app.log',
  dir: 'dir:/data/incoming',
  tcp: 'tcp://127.0.0.1:9',
  'tcp-listen': 'tcp-listen://127.0.0.1:9',
  'http-listen': 'http-listen://127.0.0.1:9/hook',
  kafka: 'kafka://127.0.0.1:9/events',
  mqtt: 'mqtt://127.0.0.1:9/sensors/#',
  'sink mqtt': 'mqtt://127.0.0.1:9/alerts',
  redis: 'redis://127.0.0.1:9/events',
  'source redis': 'redis://127.0.0.1:9/events?group=g',
  nats: 'nats://127.0.0.1:9/logs.>',
  'nats+js': 'nats+js://127.0.0.1:9/EVENTS',
  amqp: 'amqp://guest:guest@127.0.0.1:9/logs',
  flume: 'flume://127.0.0.1:9',
  'syslog+udp': 'syslog+udp://127.0.0.1:9',
  'syslog+tcp': 'syslog+tcp://127.0.0.1:9',
  'zmq+sub': 'zmq+sub://127.0.0.1:9',
  'zmq+pull': 'zmq+pull://127.0.0.1:9',
  'zmq+pub': 'zmq+pub://127.0.0.1:9',
  'zmq+push': 'zmq+push://127.0.0.1:9',
  x: 'x://stream',
  kinesis: 'kinesis://clicks',
  http: 'http://127.0.0.1:9/ingest',
  https: 'https://127.0.0.1:9/ingest',
  sqlite: 'sqlite:/tmp/x.db?table=t',
  postgres: 'postgres://app@127.0.0.1:5432/test?table=t',
  postgresql: 'postgresql://app@127.0.0.1:5432/test?table=t',
  mysql: 'mysql://app@127.0.0.1/test?table=t',
  mariadb: 'mariadb://app@127.0.0.1/test?table=t',
  dashboard: 'dashboard:status',
  prometheus: 'prometheus:status',
};

const SAMPLE: { [K in ValueKind['kind']]?: string } = { int: '3', duration: '2s', flag: 'true', string: 'x' };

/** What a scheme's target rule needs a parameter to be, or to come with, and string parameters that have a form of their own, as written in a query. */
const GOOD: Record<string, string> = { endpoint: 'http://127.0.0.1:4567', header: 'A:1', partitions: '3&create=true', columns: 'key:text,value:int' };

/** A good value of `p`, as written in a query. */
function sample(p: UriParam): string {
  if (p.name in GOOD) return GOOD[p.name]!;
  if (p.default !== undefined) return encodeURIComponent(p.default);
  if (p.value.kind === 'choice') return p.value.choices.at(-1)!;
  return SAMPLE[p.value.kind]!;
}

/** `base` with `?name=value`, in place of its own value of `name` if it has one. */
function withParam(base: string, name: string, value: string): string {
  const [path, query = ''] = base.split('?');
  const others = query.split('&').filter((kv) => kv && !kv.startsWith(`${name}=`));
  return `${path}?${[...others, `${name}=${value}`].join('&')}`;
}

const schemes: [string, UriDef, (uri: string) => unknown][] = [
  ...SOURCES.filter((d) => d.params).map((d) => [`source ${d.scheme}`, d, sourceFor] as [string, UriDef, (uri: string) => unknown]),
  ...SINKS.filter((d) => d.params).map((d) => [`sink ${d.scheme}`, d, sinkFor] as [string, UriDef, (uri: string) => unknown]),
];

describe.each(schemes)('%s', (name, def, check) => {
  const base = EXAMPLE[name] ?? EXAMPLE[def.scheme]!;

  it('has an example URI here', () => expect(base).toBeDefined());

  it.each(def.params!.map((p) => [p.name, p] as const))('accepts ?%s', (name, p) => {
    expect(() => check(withParam(base, name, sample(p)))).not.toThrow();
  });

  it('refuses an unknown key, with the nearest', () => {
    for (const { name } of def.params!) expect(() => check(withParam(base, name.slice(0, -1), '1'))).toThrow(`unknown option '${name.slice(0, -1)}' (did you mean '${name}'?)`);
    if (!def.forwardsQuery) expect(() => check(withParam(base, 'zzzzzz', '1'))).toThrow(/unknown option 'zzzzzz'/);
  });

  it.each(def.params!.filter((p) => p.value.kind !== 'string').map((p) => [p.name] as const))('says what is wrong with a bad ?%s', (name) => {
    expect(() => check(withParam(base, name, '%20bad'))).toThrow(new RegExp(`: ${name}: `));
  });
});

describe('parameters', () => {
  it('fill in their defaults and convert their values', () => {
    expect(sourceFor('tail:/x.log').values).toEqual({ from: undefined, poll: 250 });
    expect(sourceFor('dir:/d?poll=1s&from=start').values).toEqual({ pattern: '*', from: 'start', poll: 1000 });
    expect(sourceFor('kafka://h/t?meta=true').values).toMatchObject({ meta: true, 'session-timeout': 10_000, from: 'latest' });
  });

  it('show a database password as ***, in messages and in explain', () => {
    expect(redactedUri('postgres://app:s3cret@db:5432/test?table=t')).toBe('postgres://app:***@db:5432/test?table=t');
    expect(redactedUri('mysql://root:s3cret@db/test?table=t')).toBe('mysql://root:***@db/test?table=t');
    expect(redactedUri('sqlite:/tmp/x.db?table=t')).toBe('sqlite:/tmp/x.db?table=t');
  });

  it("keep an HTTP target's own query, and none of sluice's own in any message", () => {
    const { path, values } = sinkFor('https://h/x?token=s3cret&header=A:1&header=B:2&page=2');
    expect(path).toBe('h/x?token=s3cret&page=2');
    expect(values).toMatchObject({ header: ['A:1', 'B:2'], timeout: 10_000, body: 'ndjson' });
    expect(() => sinkFor('https://h/x?token=s3cret&timout=5s')).toThrow("https://h/x?token=***&timout=5s: unknown option 'timout' (did you mean 'timeout'?)");
    expect(() => sinkFor('https://h/x?token=s3cret&retries=-1')).toThrow("https://h/x?token=***&retries=-1: retries: needs a whole number >= 0, not '-1'");
  });

  it('shows URIs with their secrets redacted: passwords, header values, secret-looking query keys', () => {
    const shown = {
      'http://user:pw@h:1/x?header=Authorization:Bearer abc&timeout=1s&api_key=k': 'http://user:***@h:1/x?header=Authorization:***&timeout=1s&api_key=***',
      'https://ghp_abc@github.com/x': 'https://***@github.com/x',
      'kafka://u:p@ss@h:9092/t': 'kafka://u:***@h:9092/t',
      'http://h/x?header=Authorization%3ABearer%20x&X-Amz-Signature=s&session-timeout=3s': 'http://h/x?header=Authorization:***&X-Amz-Signature=***&session-timeout=3s',
      'http-listen://0.0.0.0:8080/hook?token=t&max-connections=9': 'http-listen://0.0.0.0:8080/hook?token=***&max-connections=9',
      'http://h/x?header=Bearer abc': 'http://h/x?header=***',
      'tail:/var/log/app?.log': 'tail:/var/log/app?.log',
    };
    for (const [uri, redacted] of Object.entries(shown)) expect(redactedUri(uri)).toBe(redacted);
  });

  it("are checked with the scheme's target rule, every problem of a URI at once", () => {
    expect(sourceFor('tcp://[::1]:9').target).toEqual({ host: '::1', port: 9, path: '' });
    expect(sourceFor('http-listen://0.0.0.0:0/hook').target).toEqual({ host: '0.0.0.0', port: 0, path: '/hook' });
    expect(() => sourceFor('tcp://127.0.0.1:99999')).toThrow('tcp://127.0.0.1:99999: port 99999 is out of range: use 1 to 65535');
    expect(() => sinkFor('tcp://h:0')).toThrow('port 0 is out of range: use 1 to 65535');
    expect(() => sourceFor('tcp://h')).toThrow('tcp://h: expected HOST:PORT, e.g. 127.0.0.1:9999');
    expect(() => sourceFor('kafka://')).toThrow('kafka://: expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events');
    expect(() => sourceFor('kafka://h:9092')).toThrow('kafka://h:9092: expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events: the topic is missing');
    expect(sourceFor('kafka://a,b:19092/t1,t2').target).toEqual({ brokers: ['a:9092', 'b:19092'], topics: ['t1', 't2'] });
    expect(() => sinkFor('kafka://h/a,b?partitions=2')).toThrow('kafka://h/a,b?partitions=2: a sink writes to one topic, not 2; partitions is for a topic sluice creates: add create=true');
    expect(() => sourceFor('dir:?poll=abc&bogus=1')).toThrow(
      "dir:?poll=abc&bogus=1: unknown option 'bogus' (known: pattern, from, poll); poll: bad duration 'abc': use a number and a unit, e.g. 250ms, 10s, 5m, 1h; needs a directory, e.g. dir:/data/incoming",
    );
    expect(() => sinkFor('http://h/x?header=oops&timout=1s')).toThrow("http://h/x?header=***&timout=1s: unknown option 'timout' (did you mean 'timeout'?); header must be NAME:VALUE; this one has no ':'");
  });

  it('a glob keeps its own ? where no parameters follow', () => {
    expect(sourceFor('tail:/logs/app?.log').path).toBe('/logs/app?.log');
  });

  it("README's table of URIs names every parameter of the tables, and no other", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| URI | as a source'), readme.indexOf('\n\n', readme.indexOf('| URI | as a source')));
    const rows = table.split('\n').slice(2);
    for (const def of [...SOURCES, ...SINKS]) {
      const row = rows.find((r) => r.startsWith(`| \`${def.usage.split(', ')[0]}`) || r.split('|')[1]!.includes(`\`${def.usage}\``));
      expect(row, def.usage).toBeDefined();
      for (const p of def.params ?? []) expect(row, `${def.usage} ?${p.name}`).toMatch(new RegExp(`[?&]${p.name}=`));
    }
    const documented = [...table.matchAll(/[?&]([a-z-]+)=/g)].map((m) => m[1]);
    const known = [...SOURCES, ...SINKS].flatMap((d) => (d.params ?? []).map((p) => p.name));
    expect(documented.filter((k) => !known.includes(k!))).toEqual([]);
  });
});
