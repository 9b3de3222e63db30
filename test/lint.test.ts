// `sluice lint`, `sluice run` refusing invalid files, and `sluice schema`, through the real bin/sluice.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/pipeline/options.ts';
import { OPERATORS } from '../src/operators/index.ts';
import { ROOT, sluice, start, tempDir } from './support/cli.ts';

const BAD = `batch: 10 sec
sources:
  logs: { in: access.log, parse: clf }
streams:
  errors:
    from: logz
    ops:
      - filter: x.status >= 500 )
      - windw: 60s/10s
sinks:
  - { from: errors, out: "-" }
`;

function write(text: string, name = 'pipe.yaml'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

describe('sluice lint', () => {
  it('reports every problem at once as FILE:LINE:COL: message and exits 78', async () => {
    const file = write(BAD);
    const r = await sluice(['lint', file]);
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `${file}:1:8: batch: bad duration '10 sec': use a number and a unit, e.g. 250ms, 10s, 5m, 1h`,
        `${file}:6:11: streams.errors.from: unknown stream 'logz' (did you mean 'logs'?)`,
        `${file}:8:33: streams.errors.ops[0] (filter): syntax error: unexpected text after the expression at column 17`,
        `${file}:9:9: streams.errors.ops[1]: unknown operator 'windw' (did you mean 'window'?)`,
        '',
      ].join('\n'),
    );
  });

  it('is silent and exits 0 for valid files, and lints several files in one run', async () => {
    const good = join(ROOT, 'pipelines/status-counts.yaml');
    expect(await sluice(['lint', good])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const bad = write('sources: {}\nsinks: []\nextra: 1\n', 'other.yaml');
    const r = await sluice(['lint', good, write(BAD), bad]);
    expect(r.code).toBe(78);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(7);
    expect(r.stderr).toContain(`${bad}:1:10: sources: is empty; a pipeline needs at least one`);
    expect(r.stderr).toContain(`${bad}:3:1: unknown key 'extra' at the top level`);
  });

  it('takes --set and checks ${VAR} references', async () => {
    const file = write('batch: ${BATCH:?say how long a batch is}\nsources: { a: { in: "-" } }\nsinks: [{ from: a }]\n');
    expect((await sluice(['lint', file], '', { env: { BATCH: '' } })).stderr).toBe(`${file}:1:8: BATCH: say how long a batch is\n`);
    expect((await sluice(['lint', file, '--set', 'batch=2s'], '', { env: { BATCH: '' } })).code).toBe(0);
    expect((await sluice(['lint', file], '', { env: { BATCH: '5s' } })).code).toBe(0);
  });

  it('reports empty sources and sinks, which would run nothing', async () => {
    const file = write('sources: {}\nstreams: {}\nsinks: []\n');
    const r = await sluice(['lint', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(`${file}:1:10: sources: is empty; a pipeline needs at least one\n${file}:3:8: sinks: is empty; a pipeline needs at least one\n`);
  });

  it("refuses the URIs run refuses, every problem at once: 78 for a file, 2 for flags", async () => {
    const file = write(`sources:
  a: { in: "tail:/tmp/x.log?poll=abc" }
  b: { in: "kafka://" }
  c: { in: "tcp://127.0.0.1:99999" }
  d: { in: "dir:.?bogus=1" }
sinks:
  - { from: a, out: "http://127.0.0.1:9/x?timout=5s" }
  - { from: b, out: "kafka://127.0.0.1:9/t?partitions=2" }
`);
    const expected = [
      `${file}:2:12: sources.a.in: tail:/tmp/x.log?poll=abc: poll: bad duration 'abc': use a number and a unit, e.g. 250ms, 10s, 5m, 1h`,
      `${file}:3:12: sources.b.in: kafka://: expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events`,
      `${file}:4:12: sources.c.in: tcp://127.0.0.1:99999: port 99999 is out of range: use 1 to 65535`,
      `${file}:5:12: sources.d.in: dir:.?bogus=1: unknown option 'bogus' (known: pattern, from, poll)`,
      `${file}:7:21: sinks[0].out: http://127.0.0.1:9/x?timout=5s: unknown option 'timout' (did you mean 'timeout'?)`,
      `${file}:8:21: sinks[1].out: kafka://127.0.0.1:9/t?partitions=2: partitions is for a topic sluice creates: add create=true`,
      '',
    ].join('\n');
    expect(await sluice(['lint', file])).toMatchObject({ code: 78, stderr: expected });
    expect(await sluice(['run', file])).toMatchObject({ code: 78, stdout: '', stderr: expected });
    const flags = await sluice(['-i', 'kafka://', '-i', 'tcp://127.0.0.1:99999', '-o', 'http://127.0.0.1:9/x?timout=5s', '--map', 'x x']);
    expect(flags).toMatchObject({ code: 2, stdout: '' });
    expect(flags.stderr).toBe(
      [
        'sluice: error: --in: kafka://: expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events',
        'sluice: error: --in: tcp://127.0.0.1:99999: port 99999 is out of range: use 1 to 65535',
        "sluice: error: --out: http://127.0.0.1:9/x?timout=5s: unknown option 'timout' (did you mean 'timeout'?)",
        'sluice: error: --map: syntax error: unexpected text after the expression at column 3',
        '',
      ].join('\n'),
    );
  });

  it('is a usage error without a file, or with one that does not exist', async () => {
    expect((await sluice(['lint'])).code).toBe(2);
    const r = await sluice(['lint', 'no/such.yaml']);
    expect(r).toMatchObject({ code: 2, stderr: 'sluice: error: cannot read no/such.yaml: no such file\n' });
  });
});

describe('sluice run', () => {
  it('refuses an invalid file before reading any input', async () => {
    const file = write(BAD.replace('access.log', '"-"'));
    const { child, done } = start(['run', file]);
    // stdin is left open: the run must end without waiting for input
    const r = await done;
    child.stdin!.destroy();
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(4);
  });

  it('runs a DAG: a source read by two streams, a union, a join, two sinks', async () => {
    const dir = tempDir();
    const file = write(
      `batch: 1h
sources:
  lines: { in: "-" }
streams:
  words:
    from: lines
    ops: [{ flat-map: x.split(" ") }]
  lengths:
    from: lines
    ops: [{ map: x.length }]
  both:
    from: [words, lengths]
  counts:
    from: words
    ops: [{ map: "[x, 1]" }, { reduce-by-key: a + b }]
  firsts:
    from: lines
    ops: [{ map: "[x.split(' ')[0], x]" }]
  joined:
    from: counts
    ops: [{ join: firsts }]
sinks:
  - { from: both, out: "-" }
  - { from: joined, out: "append:${dir}/joined.txt", format: json }
`,
    );
    const r = await sluice(['run', file], 'to be\nbe quick\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // a union's records arrive interleaved as its inputs produce them
    expect(r.stdout.split('\n').sort()).toEqual(['', '5', '8', 'be', 'be', 'quick', 'to']);
    expect(readFileSync(join(dir, 'joined.txt'), 'utf8')).toBe('["to",[1,"to be"]]\n["be",[2,"be quick"]]\n');
  });
});

describe('sluice schema', () => {
  const schema = async () => JSON.parse((await sluice(['schema'])).stdout);

  it('validates every example pipeline and rejects a broken one', async () => {
    const validate = new Ajv2020({ strict: false }).compile(await schema());
    for (const f of readdirSync(join(ROOT, 'pipelines')).filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml'))) {
      const ok = validate(parse(readFileSync(join(ROOT, 'pipelines', f), 'utf8')));
      expect(validate.errors, f).toBeNull();
      expect(ok).toBe(true);
    }
    expect(validate(parse(BAD.replace('batch: 10 sec\n', 'bach: 1s\n')))).toBe(false);
  });

  it('knows every operator and every option of the registries', async () => {
    const s = await schema();
    const opNames = s.properties.streams.additionalProperties.properties.ops.items.oneOf.flatMap((o: { required?: string[]; const?: string }) => o.required?.[0] ?? o.const);
    expect(new Set(opNames)).toEqual(new Set(OPERATORS.map((o) => o.name)));
    const keys = [
      ...Object.keys(s.properties),
      ...Object.keys(s.properties.sources.additionalProperties.properties),
      ...Object.keys(s.properties.sinks.items.properties),
    ];
    for (const o of OPTIONS.filter((o) => o.scope !== 'command-line')) expect(keys, o.name).toContain(o.name);
  });
});
