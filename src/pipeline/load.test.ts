// Loading pipeline files: the spec they give, and every problem at once, each at its FILE:LINE:COL.

import { describe, expect, it } from 'vitest';
import { OPERATORS } from '../operators/index.ts';
import { loadPipeline } from './load.ts';

const load = (text: string, options = {}) => loadPipeline('p.yaml', text, { env: {}, ...options });

/** A valid pipeline around `ops` (YAML list items, indented for the ops list). */
const withOps = (ops: string, batch = '1s') => `batch: ${batch}
sources:
  lines: { in: "-" }
  other: { in: "-" }
streams:
  users:
    from: other
    ops:
      - key-by: x
  main:
    from: lines
    ops:
${ops}
sinks:
  - { from: main }
`;

describe('loadPipeline', () => {
  it('gives the same spec as the flag chain would, with defaults filled in', () => {
    const r = load(`batch: 10s
sources:
  logs: { in: access.log, parse: clf }
streams:
  errors:
    from: logs
    ops:
      - filter: x.status >= 500
      - map: "[x.path, 1]"
      - window: 60s/10s
      - reduce-by-key: a + b
        inverse: a - b
      - count
sinks:
  - { from: errors, out: "-", print: 3 }
  - { from: errors, out: errors.txt, format: json, with-time: true }
`);
    expect(r.problems).toEqual([]);
    expect(r.plan?.spec).toMatchObject({
      batchMs: 10_000,
      onError: 'fail',
      verbose: false,
      quiet: false,
      sources: { logs: { in: 'access.log', parse: 'clf' } },
      streams: {
        errors: {
          from: ['logs'],
          ops: [
            { op: 'filter', arg: 'x.status >= 500', options: {}, label: 'streams.errors.ops[0] (filter)' },
            { op: 'map', arg: '[x.path, 1]' },
            { op: 'window', arg: '60s/10s' },
            { op: 'reduce-by-key', arg: 'a + b', options: { inverse: 'a - b' } },
            { op: 'count', arg: true },
          ],
        },
      },
      sinks: [
        { from: 'errors', out: '-', format: 'text', print: 3, withTime: false },
        { from: 'errors', out: 'errors.txt', format: 'json', withTime: true },
      ],
    });
  });

  it('reports every problem at once, in file order, each where it is written', () => {
    const r = load(`batch: 10 sec
bach: 1s
sources:
  logs: { in: "kafak://x/y", parse: jsn, prase: clf }
streams:
  statuses:
    from: [logs, nope]
    ops:
      - map: x.status +
      - cont-by-value
      - reduce-by-key: a + b
        invers: a - b
sinks:
  - { from: statuses, format: jsn }
  - { out: x }
`);
    expect(r.plan?.spec).toBeUndefined();
    expect(r.problems).toEqual([
      "p.yaml:1:8: batch: bad duration '10 sec': use a number and a unit, e.g. 250ms, 10s, 5m, 1h",
      "p.yaml:2:1: unknown key 'bach' at the top level (did you mean 'batch'?)",
      expect.stringMatching(/^p\.yaml:4:15: sources\.logs\.in: unknown source 'kafak:\/\/x\/y': no source for kafak:\/\//),
      expect.stringMatching(/^p\.yaml:4:37: sources\.logs\.parse: unknown codec 'jsn'/),
      "p.yaml:4:42: unknown key 'prase' at sources.logs (did you mean 'parse'?)",
      "p.yaml:7:18: streams.statuses.from: unknown stream 'nope'",
      'p.yaml:9:24: streams.statuses.ops[0] (map): syntax error: unexpected token at column 11',
      "p.yaml:10:9: streams.statuses.ops[1]: unknown operator 'cont-by-value' (did you mean 'count-by-value'?)",
      "p.yaml:12:17: streams.statuses.ops[2] (reduce-by-key): reduce-by-key has no option 'invers' (did you mean 'inverse'?)",
      "p.yaml:14:31: sinks[0].format: 'jsn' is not one of text, json, csv, tsv (did you mean 'json'?)",
      'p.yaml:15:5: sinks[1]: needs from (the stream to write)',
    ]);
  });

  it('points into an expression at its syntax error, in quoted and block scalars too', () => {
    const at = (ops: string) => load(withOps(ops)).problems;
    expect(at('      - map: "[x, ) ]"')).toEqual([expect.stringMatching(/^p\.yaml:13:19: .*\(map\): syntax error: unexpected token at column 5$/)]);
    expect(at("      - map: 'x + '' ) '' )'")).toEqual([expect.stringMatching(/^p\.yaml:13:27: .*unexpected text after the expression at column 11$/)]);
    expect(at('      - filter: |\n          x.a &&\n            x.b ))')).toEqual([expect.stringMatching(/^p\.yaml:15:17: .*\(filter\): syntax error/)]);
  });

  it('reports an alias without its anchor, or inside it, where it is written', () => {
    expect(load('sources:\n  a: { in: "-" }\nsinks:\n  - { from: *a }\n').problems).toEqual(['p.yaml:4:13: alias *a names no anchor: write &a on a value before it']);
    expect(load('sources: &s\n  a: *s\nsinks:\n  - { from: a }\n').problems).toEqual(['p.yaml:2:6: alias *s is inside the value &s it names']);
  });

  it('refuses a duration too long to count exactly in milliseconds', () => {
    expect(load(withOps('      - window: 99999999999999999999s\n      - count')).problems).toEqual([
      "p.yaml:13:17: streams.main.ops[0] (window): bad duration '99999999999999999999s': too long to count in milliseconds",
    ]);
  });

  it('names cycles and streams that read from themselves', () => {
    const r = load(`sources:
  lines: { in: "-" }
streams:
  a:
    from: [lines, c]
  b:
    from: a
  c:
    from: b
  d:
    from: lines
    ops:
      - union: d
sinks:
  - { from: c }
`);
    expect(r.problems).toEqual(['p.yaml:7:11: streams.b: cycle: a -> b -> c -> a (each feeds the next)', "p.yaml:13:16: streams.d: stream 'd' reads from itself"]);
  });

  it('checks windows against the batch interval and against the slide of what they read', () => {
    expect(load(withOps('      - window: 3s/2s\n      - count', '2s')).problems).toEqual([
      'p.yaml:13:17: streams.main.ops[0] (window): window length 3s is not a multiple of the batch interval 2s; use 2s or 4s',
    ]);
    expect(load(withOps('      - window: 4s/2s\n      - count\n      - window: 3s\n      - count')).problems).toEqual([
      "p.yaml:16:9: streams.main.ops[3] (count): its window must be a multiple of its input's slide: the input emits every 2s",
    ]);
    expect(load(withOps('      - window: 4s/2s\n      - count\n      - union: users')).problems).toEqual([
      'p.yaml:15:16: streams.main.ops[2] (union): both sides must emit alike, but this stream emits every 2s and users every 1s',
    ]);
  });

  it('reads several streams as a union only if they emit alike', () => {
    const r = load(`sources:
  a: { in: "-" }
streams:
  slow:
    from: a
    ops: [{ window: 10s/10s }, count]
  both:
    from: [a, slow]
sinks:
  - { from: both }
`);
    expect(r.problems).toEqual(['p.yaml:8:12: streams.both.from: streams read together must emit alike, but a every 1s, slow every 10s']);
  });

  it('replaces ${VAR} in values only after parsing, and reports a missing one where it is', () => {
    const text = `batch: \${BATCH:-5s}
sources:
  lines: { in: "tcp://\${HOST}:\${PORT:?set PORT}" }
sinks:
  - { from: lines }
`;
    expect(load(text, { env: { HOST: 'h', PORT: '1' } }).plan?.spec).toMatchObject({ batchMs: 5000, sources: { lines: { in: 'tcp://h:1' } } });
    // a value cannot change the structure: this stays one string (which is no HOST:PORT)
    expect(load(text, { env: { HOST: 'h", parse: "json', PORT: '1' } }).problems).toEqual(['p.yaml:3:16: sources.lines.in: tcp://h", parse: "json:1: expected HOST:PORT, e.g. 127.0.0.1:9999']);
    expect(load(text, { env: { PORT: '1' } }).problems).toEqual([expect.stringMatching(/^p\.yaml:3:23: variable HOST is not set/)]);
    expect(load(text, { env: { HOST: 'h' } }).problems).toEqual(['p.yaml:3:31: PORT: set PORT']);
  });

  it('lets --set override top-level options and checks its keys and values', () => {
    const text = 'batch: 1s\nsources: { a: { in: "-" } }\nsinks: [{ from: a }]\n';
    expect(load(text, { set: ['batch=250ms', 'verbose=true'] }).plan?.spec).toMatchObject({ batchMs: 250, verbose: true });
    expect(load(text, { set: ['bach=2s', 'batch=2 s', 'nothing'] }).problems).toEqual([
      "--set: unknown key 'bach' (did you mean 'batch'?)",
      "--set: 'nothing' needs the form KEY=VALUE",
      "--set batch: bad duration '2 s': use a number and a unit, e.g. 250ms, 10s, 5m, 1h",
    ]);
  });

  it('says where a source or sink option belongs when it is written at the top', () => {
    expect(load('in: x.log\nsources: { a: {} }\nsinks: [{ from: a }]\n').problems).toEqual(["p.yaml:1:1: unknown key 'in' at the top level ('in' goes in each source)"]);
  });

  it('takes names that are numbers, as map keys are', () => {
    const r = load('sources:\n  1: { in: "-" }\nstreams:\n  2: { from: 1, ops: [count] }\nsinks:\n  - { from: 2 }\n');
    expect(r.problems).toEqual([]);
    expect(r.plan?.spec?.streams).toMatchObject({ 2: { from: ['1'] } });
    expect(r.plan?.spec?.sinks[0]?.from).toBe('2');
  });

  it('takes merge keys: the entries of the maps named, unless given beside them', () => {
    const text = `sources:
  a: &src { in: a.log, parse: json }
  b: { <<: *src, in: b.log }
sinks:
  - &out { from: a, out: "-", format: json }
  - { <<: [*out], from: b }
`;
    const r = load(text);
    expect(r.problems).toEqual([]);
    const lines = { maxLineBytes: 64 * 2 ** 20 }; // the default
    expect(r.plan?.spec?.sources).toEqual({ a: { in: 'a.log', parse: 'json', ...lines }, b: { in: 'b.log', parse: 'json', ...lines } });
    expect(r.plan?.spec?.sinks.map((k) => [k.from, k.format])).toEqual([['a', 'json'], ['b', 'json']]);
    expect(load('sources:\n  a: { <<: 5, in: x }\nsinks: [{ from: a }]\n').problems).toEqual([
      'p.yaml:2:12: sources.a.<<: needs a map to merge, e.g. <<: *defaults',
    ]);
  });

  it('reports malformed YAML, wrong shapes and empty files with positions', () => {
    expect(load('')).toEqual({ problems: ['p.yaml:1:1: empty pipeline: it needs sources, streams and sinks'] });
    expect(load('a: [1, 2\n').problems[0]).toMatch(/^p\.yaml:\d+:\d+: /);
    expect(load('a: 1\na: 2\n').problems).toEqual(["p.yaml:2:1: key 'a' is given twice in this map"]);
    expect(load('sources: { logs: { in: x }, logs: { in: y } }\n').problems).toEqual(["p.yaml:1:29: key 'logs' is given twice in this map"]);
    expect(load('sources: {}\n---\nsinks: []\n').problems).toEqual(['p.yaml:2:1: a second document (after ---): a file holds one']);
    expect(load('sources:\n  a: { in: "-" }\nstreams:\n  s:\n    from: []\nsinks:\n  - { from: s }\n').problems).toEqual([
      'p.yaml:5:11: streams.s.from: needs the name of a source or stream (an empty list reads nothing)',
    ]);
    expect(load('- 1\n').problems).toEqual(['p.yaml:1:1: pipeline: needs a map of options, sources, streams and sinks']);
    expect(load('sources: [a]\nsinks: {}\n').problems).toEqual([
      'p.yaml:1:10: sources: needs a map of named sources, e.g. logs: { in: access.log, parse: clf }',
      'p.yaml:2:8: sinks: needs a list of sinks, e.g. - { from: counts, out: "-" }',
    ]);
    expect(load(withOps('      - map: x\n        filter: y')).problems).toEqual([
      "p.yaml:14:9: streams.main.ops[0]: one operator per entry: 'map' and 'filter' are two list items",
    ]);
    expect(load(withOps('      - combine-by-key: [1, 2]')).problems).toEqual([
      'p.yaml:13:25: streams.main.ops[0] (combine-by-key): combine-by-key needs a single value: quote an expression that is a list or an object',
    ]);
  });

  it('accepts the example of every pair operator as an ops entry, and checks their required options', () => {
    for (const def of OPERATORS.filter((d) => 'combine' in d)) {
      const text = withOps(`      - ${def.example.replaceAll('users', 'users')}`);
      expect(load(text).problems, def.name).toEqual([]);
    }
    expect(load(withOps('      - transform-with: users')).problems).toEqual([
      "p.yaml:13:25: streams.main.ops[0] (transform-with): transform-with needs its option 'apply'",
    ]);
  });
});
