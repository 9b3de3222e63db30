// Which pipelines the field fusion rewrites: the spellings that only pick fields of the line,
// and none where the record is not the decoded line or the source has other readers.

import { describe, expect, it } from 'vitest';
import { parseChain } from '../cli/chain.ts';
import { CodecError, SKIP } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { fuseFieldAccess } from './fuse.ts';

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err;
  }
};

const fused = (...argv: string[]) => [...fuseFieldAccess(parseChain(argv)).values()].map((f) => f.decoder('a  b c\n', 0, 6));

describe('fuseFieldAccess', () => {
  it('fuses x[N] after --parse split and x.split(SEP)[N] on plain lines', () => {
    expect(fused('--parse', 'split', '--map', 'x[1]')).toEqual(['b']);
    expect(fused('--parse', 'split: ', '--map', 'x[1]')).toEqual(['']);
    expect(fused('--map', 'x.split(" ")[2]')).toEqual(['b']);
    expect(fused('--map', "x.split(' ') [ 3 ]")).toEqual(['c']);
    expect(fused('--map', '(x.split(" "))[(2)]')).toEqual(['b']);
    expect(fused('--map', 'x.split("\\x20")[2]')).toEqual(['b']); // the separator as JavaScript reads it
  });

  it('fuses x.F and [x.F, x.G] after --parse clf, for fields of a CLF record', () => {
    const line = '1.2.3.4 - - [t] "GET /a HTTP/1.1" 200 5 "-" "ua"';
    const clf = (...argv: string[]) => [...fuseFieldAccess(parseChain(['--parse', 'clf', ...argv])).values()].map((f) => f.decoder(`${line}\n`, 0, line.length));
    expect(clf('--map', 'x.status')).toEqual([200]);
    expect(clf('--map', '[x.path, (x).bytes, x["agent"]]')).toEqual([['/a', 5, 'ua']]);
    // not a pick of fields: a record of the fields read, or the whole one
    expect(clf('--map', 'x.nothing')).toEqual([]);
    expect(clf('--map', '[x.status, 1]')).toEqual([{ status: 200 }]);
    expect(clf('--map', 'x?.status')).toEqual([{ status: 200 }]);
  });

  it('makes a CLF record of the fields read by an event time, filters and the map that replaces it', () => {
    const line = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "ua"';
    const records = (...argv: string[]) => [...fuseFieldAccess(parseChain(['--parse', 'clf', ...argv])).values()].map((f) => [f.doesFirst, f.decoder(`${line}\n`, 0, line.length)]);
    const window = ['--window', '10s', '--event-time', 'x.time'];
    expect(records(...window, '--map', 'x.status', '--count-by-value')).toEqual([[false, { time: '10/Oct/2000:13:55:36 -0700', status: 200 }]]);
    expect(records('--filter', 'x["method"] === "GET" && x.bytes.toFixed(0)', '--map', '[x.path, { n: x.status }]')).toEqual([[false, { method: 'GET', bytes: 5, path: '/a', status: 200 }]]);
    expect(records('--map', 'x.status + 1')).toEqual([[false, { status: 200 }]]);
    // the record whole, or a name that may be bound to it: the whole record is decoded
    for (const map of ['x', '[x.status, x]', 'JSON.stringify(x)', 'k ?? x.status', '((y) => y.status)(x)', 'x.nothing', 'x[x.status]', '{ x }']) expect(records(...window, '--map', map)).toEqual([]);
    expect(records(...window, '--count-by-value')).toEqual([]);
    expect(records('--filter', 'x.status > 1', '-o', '-')).toEqual([]);
    expect(records('--on-error', 'dlq:/tmp/d', ...window, '--map', 'x.status')).toEqual([]);
    expect(records('--window', '10s', '--event-time', '(r) => r.time', '--map', 'x.status')).toEqual([]);
  });

  it('fuses x.F, x.F.G, x["F"], x?.F and arrays of them after --parse json, for names no object inherits', () => {
    const line = '{"a":{"b":[1]},"c d":"e"}';
    const json = (...argv: string[]) => [...fuseFieldAccess(parseChain(['--parse', 'json', ...argv])).values()].map((f) => f.decoder(`${line}\n`, 0, line.length));
    expect(json('--map', 'x.a')).toEqual([{ b: [1] }]);
    expect(json('--map', '[x["c d"], (x.a).b, x.a["b"], x.nothing]')).toEqual([['e', [1], [1], undefined]]);
    expect(json('--map', 'x')).toEqual([]);
    expect(json('--map', '[x.a, x]')).toEqual([]);
    expect(json('--map', 'x.constructor')).toEqual([]);
    expect(json('--map', 'x.a.__proto__')).toEqual([]);
    expect(json('--map', '[x?.a?.b, (x?.a).b, x.a?.["b"]]')).toEqual([[[1], [1], [1]]]);
    expect(json('--map', 'x[0]')).toEqual([]);
    expect(json('--map', '[x.a, 1]')).toEqual([]);
  });

  it('gives a line the fused scan does not take to JSON.parse and the expression, which refuse it as unfused', () => {
    const [fusion] = fuseFieldAccess(parseChain(['--parse', 'json', '--map', 'x.a.b'])).values();
    const decode = (line: string) => fusion!.decoder(line, 0, line.length);
    expect(decode('{"a":"xy"}')).toBe(undefined);
    expect(decode('{"a":[]}')).toBe(undefined);
    expect(() => decode('null')).toThrow(/^--map: TypeError: Cannot read properties of null \(reading 'a'\)$/);
    expect(decode(' ')).toBe(SKIP);
    const bad = thrown(() => decode('{"a":1'));
    expect(bad).toEqual(thrown(() => createDecoder('json')('{"a":1')));
    expect(bad).toBeInstanceOf(CodecError);
    expect((bad as CodecError).column).toBe(7);
    expect(() => decode('{}')).toThrow(/^--map: TypeError: Cannot read properties of undefined \(reading 'b'\)$/);
  });

  it('leaves other spellings and other records to the general path', () => {
    expect(fused('--map', 'x[1]')).toEqual([]); // a character, not a field
    expect(fused('--parse', 'json', '--map', 'x.split(" ")[1]')).toEqual([]);
    expect(fused('--map', 'x.split(" ")[1] + 1')).toEqual([]);
    expect(fused('--map', 'x.split("")[1]')).toEqual([]);
    expect(fused('--map', 'x.split(" ", 2)[1]')).toEqual([]);
    expect(fused('--parse', 'split', '--map', 'x[1.5]')).toEqual([]);
    expect(fused('-i', 'kafka://127.0.0.1:9092/t?meta=true', '--map', 'x.split(" ")[1]')).toEqual([]);
  });
});
