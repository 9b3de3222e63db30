// URI parameters come from each scheme's table: every documented ?key is accepted, an unknown one is
// refused with the nearest, a bad value says which key and why, and README's table of URIs names
// exactly the parameters the tables have.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ValueKind } from '../core/values.ts';
import { SINKS, sinkFor } from './sinks/index.ts';
import { SOURCES, sourceFor } from './sources/index.ts';
import type { UriDef, UriParam } from './uri.ts';

/** A URI of each scheme that takes parameters, to hang them on. */
const EXAMPLE: Record<string, string> = {
  tail: 'tail:/var/log/app.log',
  dir: 'dir:/data/incoming',
  tcp: 'tcp://127.0.0.1:9',
  'tcp-listen': 'tcp-listen://127.0.0.1:9',
  'http-listen': 'http-listen://127.0.0.1:9/hook',
  kafka: 'kafka://127.0.0.1:9/events',
  mqtt: 'mqtt://127.0.0.1:9/sensors/#',
  redis: 'redis://127.0.0.1:9/events',
  nats: 'nats://127.0.0.1:9/logs.>',
  'nats+js': 'nats+js://127.0.0.1:9/EVENTS',
  amqp: 'amqp://guest:guest@127.0.0.1:9/logs',
  'syslog+udp': 'syslog+udp://127.0.0.1:9',
  'syslog+tcp': 'syslog+tcp://127.0.0.1:9',
  http: 'http://127.0.0.1:9/ingest',
  https: 'https://127.0.0.1:9/ingest',
};

const SAMPLE: { [K in ValueKind['kind']]?: string } = { int: '3', duration: '2s', flag: 'true', string: 'x' };

function sample(p: UriParam): string {
  if (p.default !== undefined) return p.default;
  if (p.value.kind === 'choice') return p.value.choices.at(-1)!;
  return SAMPLE[p.value.kind]!;
}

const schemes: [string, UriDef, (uri: string) => unknown][] = [
  ...SOURCES.filter((d) => d.params).map((d) => [`source ${d.scheme}`, d, sourceFor] as [string, UriDef, (uri: string) => unknown]),
  ...SINKS.filter((d) => d.params).map((d) => [`sink ${d.scheme}`, d, sinkFor] as [string, UriDef, (uri: string) => unknown]),
];

describe.each(schemes)('%s', (_name, def, check) => {
  const base = EXAMPLE[def.scheme]!;

  it('has an example URI here', () => expect(base).toBeDefined());

  it.each(def.params!.map((p) => [p.name, p] as const))('accepts ?%s', (name, p) => {
    expect(() => check(`${base}?${name}=${encodeURIComponent(sample(p))}`)).not.toThrow();
  });

  it('refuses an unknown key, with the nearest', () => {
    for (const { name } of def.params!) expect(() => check(`${base}?${name.slice(0, -1)}=1`)).toThrow(`unknown option '${name.slice(0, -1)}' (did you mean '${name}'?)`);
    if (!def.forwardsQuery) expect(() => check(`${base}?zzzzzz=1`)).toThrow(/unknown option 'zzzzzz'/);
  });

  it.each(def.params!.filter((p) => p.value.kind !== 'string').map((p) => [p.name] as const))('says what is wrong with a bad ?%s', (name) => {
    expect(() => check(`${base}?${name}=%20bad`)).toThrow(new RegExp(`: ${name}: `));
  });
});

describe('parameters', () => {
  it('fill in their defaults and convert their values', () => {
    expect(sourceFor('tail:/x.log').values).toEqual({ from: 'end', poll: 250 });
    expect(sourceFor('dir:/d?poll=1s&from=start').values).toEqual({ pattern: '*', from: 'start', poll: 1000 });
    expect(sourceFor('kafka://h/t?meta=true').values).toMatchObject({ meta: true, 'session-timeout': 10_000, from: 'latest' });
  });

  it("keep an HTTP target's own query, and none of sluice's own in any message", () => {
    const { path, values } = sinkFor('https://h/x?token=s3cret&header=A:1&header=B:2&page=2');
    expect(path).toBe('h/x?token=s3cret&page=2');
    expect(values).toMatchObject({ header: ['A:1', 'B:2'], timeout: 10_000, body: 'ndjson' });
    expect(() => sinkFor('https://h/x?token=s3cret&timout=5s')).toThrow("https://h/x: unknown option 'timout' (did you mean 'timeout'?)");
    expect(() => sinkFor('https://h/x?token=s3cret&retries=-1')).toThrow("https://h/x: retries: needs a whole number >= 0, not '-1'");
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
