// Public conformance suites through the real bin/sluice: JSONTestSuite (every y_ accepted, every n_
// refused), csv-spectrum and RFC 4180's own rules for CSV, real Apache and nginx lines for clf, and
// a property: what --format csv writes, --parse csv reads back as it was. Each suite logs its count
// of cases run and passed. The fixtures and their licences are under test/data.

import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sluice, tempDir } from './support/cli.ts';

const DATA = join(ROOT, 'test/data');
const ONE_BATCH = ['-b', '1h'];

interface DeadLetter {
  where: string;
  reason: string;
}

/** Run sluice on `input` with bad records written to a dead-letter file; its records and dead letters. */
async function run(args: string[], input: string): Promise<{ stdout: string; letters: DeadLetter[]; code: number | null; stderr: string }> {
  const dlq = join(tempDir(), 'dlq.ndjson');
  const r = await sluice([...ONE_BATCH, ...args, '--on-error', `dlq:${dlq}`], input);
  let letters: DeadLetter[] = [];
  try {
    letters = readFileSync(dlq, 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetter);
  } catch {
    // no bad record: no file
  }
  return { stdout: r.stdout, letters, code: r.code, stderr: r.stderr };
}

/** The input line a dead letter names (`stdin:7`, `FILE:7:3`). */
const lineOf = (letter: DeadLetter) => Number(/:(\d+)(?::\d+)?$/.exec(letter.where)![1]);

function report(suite: string, run: number, passed: number): void {
  console.log(`${suite}: ${run} cases run, ${passed} passed`);
}

describe('JSONTestSuite', () => {
  const cases = JSON.parse(readFileSync(join(DATA, 'json-test-suite/cases.json'), 'utf8')) as Record<string, string>;
  const named = (prefix: string) => Object.entries(cases).filter(([name]) => name.startsWith(prefix));
  // NDJSON is one value per line: a case's final LF is its line end, and any other LF outside a
  // string is JSON whitespace, the same as a space
  const oneLine = (text: string) => text.replace(/\n$/, '').replaceAll('\n', ' ');

  it('accepts every y_ case, each decoded as JSON.parse decodes it', async () => {
    const ys = named('y_');
    expect(ys).toHaveLength(95);
    const r = await run(['--parse', 'json', '--format', 'json'], ys.map(([, text]) => `${oneLine(text)}\n`).join(''));
    const got = r.stdout.split('\n').slice(0, -1);
    const passed = ys.filter(([, text], i) => got[i] === JSON.stringify(JSON.parse(text))).length;
    report('JSONTestSuite y_', ys.length, passed);
    expect(r.letters).toEqual([]);
    expect(got).toEqual(ys.map(([, text]) => JSON.stringify(JSON.parse(text))));
  });

  it('refuses every n_ case: none gives a record, each is a bad record but the two that are blank lines', async () => {
    const ns = named('n_');
    expect(ns).toHaveLength(188);
    // lines of each case: one line, unless joining its lines would make it valid (a newline inside a
    // string is what n_string_unescaped_newline tests): then its lines as they are, each refused
    const lines = ns.map(([, text]) => {
      const joined = oneLine(text);
      return isJson(joined) ? text.split('\n') : [joined];
    });
    const r = await run(['--parse', 'json', '--format', 'json'], lines.flat().map((l) => `${l}\n`).join(''));
    expect(r.code).toBe(0);
    const refused = new Set(r.letters.map(lineOf));
    let first = 1;
    const verdicts = ns.map(([name], i) => {
      const own = lines[i]!.map((_, j) => first + j);
      first += own.length;
      return { name, refused: own.some((n) => refused.has(n)) };
    });
    // an empty line and a line of one space hold no value: skipped as blank lines (as jq does), not records
    const blank = ['n_single_space.json', 'n_structure_no_data.json'];
    const passed = verdicts.filter((v) => v.refused || blank.includes(v.name)).length;
    report('JSONTestSuite n_', ns.length, passed);
    expect(r.stdout).toBe('');
    expect(verdicts.filter((v) => !v.refused).map((v) => v.name)).toEqual(blank);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('CSV', () => {
  const dir = join(DATA, 'csv-spectrum');
  // csv-spectrum's expected records for location_coordinates are one object (not an array) whose
  // phone number is not the one in its CSV: its fixture, not the CSV, is wrong there
  const expectedOf = (name: string): unknown[] => {
    const expected = JSON.parse(readFileSync(join(dir, 'json', `${name}.json`), 'utf8')) as unknown;
    if (name !== 'location_coordinates') return expected as unknown[];
    return [{ ...(expected as object), 'Contact Phone Number': '2095257564' }];
  };
  const names = readdirSync(join(dir, 'csvs')).map((f) => f.replace(/\.csv$/, '')).sort();
  const results = new Map<string, boolean>();

  for (const name of names) {
    const check = async () => {
      const r = await run(['-i', join(dir, 'csvs', `${name}.csv`), '--parse', 'csv:header', '--format', 'json'], '');
      const ok = r.code === 0 && r.letters.length === 0;
      results.set(name, ok && isEqual(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)), expectedOf(name)));
      expect(r.letters).toEqual([]);
      expect(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual(expectedOf(name));
    };
    it(`csv-spectrum ${name}`, check);
  }

  it('csv-spectrum: the count', () => {
    report('csv-spectrum', names.length, [...results.values()].filter(Boolean).length);
    expect(results.size).toBe(names.length);
  });

  // RFC 4180 section 2, rule by rule, with the records each text must give
  const rfc: { rule: string; text: string; records: unknown[] }[] = [
    { rule: '1: CRLF ends a record', text: 'aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n', records: [['aaa', 'bbb', 'ccc'], ['zzz', 'yyy', 'xxx']] },
    { rule: '2: the last record may have no line break', text: 'aaa,bbb,ccc\r\nzzz,yyy,xxx', records: [['aaa', 'bbb', 'ccc'], ['zzz', 'yyy', 'xxx']] },
    { rule: '4: spaces are part of a field', text: ' a , b ,c \n', records: [[' a ', ' b ', 'c ']] },
    { rule: '4: empty fields', text: 'a,,c\n,\n""\n', records: [['a', '', 'c'], ['', ''], ['']] },
    { rule: '5: fields may be enclosed in double quotes', text: '"aaa","bbb","ccc"\r\n', records: [['aaa', 'bbb', 'ccc']] },
    { rule: '6: a quoted field holds commas and CRs', text: '"a,b","c\rd",e\n', records: [['a,b', 'c\rd', 'e']] },
    { rule: '7: a double quote inside quotes is doubled', text: '"aaa","b""bb","ccc"\n', records: [['aaa', 'b"bb', 'ccc']] },
    { rule: '6: a quoted field holds line breaks', text: '"aaa","b\r\nbb","ccc"\r\nzzz,yyy,xxx\r\n', records: [['aaa', 'b\r\nbb', 'ccc'], ['zzz', 'yyy', 'xxx']] },
  ];
  let rfcPassed = 0;
  for (const { rule, text, records } of rfc) {
    const check = async () => {
      const r = await run(['--parse', 'csv', '--format', 'json'], text);
      const got = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
      if (isEqual(got, records) && r.letters.length === 0) rfcPassed++;
      expect(r.letters).toEqual([]);
      expect(got).toEqual(records);
    };
    it(`RFC 4180 rule ${rule}`, check);
  }

  it('RFC 4180: rule 3, the header line, and what is not CSV', async () => {
    const header = await run(['--parse', 'csv:header', '--format', 'json'], 'field_name,"field ""2"""\r\naaa,bbb\r\n');
    expect(header.stdout).toBe('{"field_name":"aaa","field \\"2\\"":"bbb"}\n');
    // a quote never closed runs to the end of the input (a quoted field may hold line breaks)
    const bad = await run(['--parse', 'csv', '--format', 'json'], '"q"x,b\nok\n"open,a\n');
    expect(bad.letters.map((l) => [lineOf(l), l.reason])).toEqual([
      [1, 'unexpected text after a quoted field'],
      [3, 'unterminated quoted field'],
    ]);
    expect(bad.stdout).toBe('["ok"]\n');
    rfcPassed += 2;
    report('RFC 4180', rfc.length + 2, rfcPassed);
  });
});

function isEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

describe('CLF on real Apache and nginx lines', () => {
  const lines = (file: string) => readFileSync(join(DATA, 'clf', file), 'utf8').trimEnd().split('\n');
  const decode = async (file: string) => {
    const r = await run(['-i', join(DATA, 'clf', file), '--parse', 'clf', '--format', 'json'], '');
    return { records: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), refused: r.letters.map(lineOf) };
  };
  let clfCases = 0;
  let clfPassed = 0;
  const tally = (ok: boolean[]) => {
    clfCases += ok.length;
    clfPassed += ok.filter(Boolean).length;
  };

  it('elastic/examples apache_logs: every line as a simple combined-format reading gives it, the truncated one refused', async () => {
    const text = lines('apache-elastic-examples.log');
    const { records, refused } = await decode('apache-elastic-examples.log');
    // a plain reading of lines without escapes or extra fields, to compare with
    const simple = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-) "(.*)" "(.*)"$/;
    const expected = text.flatMap((line) => {
      const m = simple.exec(line);
      return m ? [{ host: m[1], user: m[2], time: m[3], method: m[4], path: m[5], protocol: m[6], status: Number(m[7]), bytes: m[8] === '-' ? 0 : Number(m[8]), referer: m[9], agent: m[10], extra: [] }] : [];
    });
    expect(expected).toHaveLength(54);
    tally([...expected.map((e, i) => isEqual(records[i], expect.objectContaining(e))), refused.length === 1 && refused[0] === 55]);
    expect(records).toEqual(expected.map((e) => expect.objectContaining(e)));
    expect(refused).toEqual([55]);
  });

  it("nginx main lines: the combined fields, and $http_x_forwarded_for first in extra", async () => {
    const { records, refused } = await decode('nginx-main.log');
    const forwarded = ['-', '172.19.0.1', '-', '114.4.82.221, 10.88.1.100', '172.16.2.28', '119.129.129.222', 'proxy=203.0.113.195'];
    tally(forwarded.map((f, i) => records[i]?.extra instanceof Array && (records[i]!.extra as string[])[0] === f));
    expect(refused).toEqual([]);
    expect(records.map((r) => (r.extra as string[])[0])).toEqual(forwarded);
    expect(records[5]).toMatchObject({ status: 200, bytes: 614, agent: expect.stringMatching(/^Mozilla\/5\.0 .*Safari\/537\.36$/), extra: ['119.129.129.222', '/'] });
    expect(records[6]).toMatchObject({ time: '2025-08-06T14:43:25+02:00', extra: ['proxy=203.0.113.195', 'rt=0.000', 'uct="-"', 'uht="-"', 'urt="-"', 'container=nginx'] });
  });

  it('Apache lines of malformed requests: \\" in the request, status -, timeouts, no protocol; a line without ident refused', async () => {
    const { records, refused } = await decode('apache-malformed.log');
    const expected = [
      { path: '/~casso/homepage/files/475.jpg\\"', protocol: 'HTTP/1.1', status: 404, bytes: 731 },
      { status: 302, bytes: 0, referer: '', agent: expect.stringMatching(/^Mozilla\/5\.0 \(X11/) },
      { path: '/javascript/basic/\\" + loadingImgUrl + \\"', status: 404, agent: 'Java/1.4.1_04', extra: ['**0/337226**'] },
      { request: '-', method: null, path: null, status: 408, bytes: 0, extra: ['-', '-', '194.104.130.85', 'pid:11112', '37', '-', '-', '-', '-'] },
      { host: '127.0.0.1', ident: '192.168.0.1', path: '/a[ ]b', agent: 'Opera/12.0' },
      { method: 'GET', path: '/', protocol: null, status: 200 },
      { host: '192.168.202.254', status: 200, bytes: 134, agent: 'gPXE/0.9.7' },
    ];
    tally([...expected.map((e, i) => isEqual(records[i], expect.objectContaining(e))), refused.length === 1 && refused[0] === 8]);
    expect(records).toEqual(expected.map((e) => expect.objectContaining(e)));
    expect(refused).toEqual([8]);
    report('CLF (real lines)', clfCases, clfPassed);
  });
});

describe('--format csv then --parse csv is the identity', () => {
  // line breaks, CRs, quotes and commas included: a quoted field may span lines
  const value = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', '\t', 'é', '💥', '\\'), maxLength: 6 });

  it('on arrays of strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(value, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 100 }), async (records) => {
        const written = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv'], records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const back = await sluice([...ONE_BATCH, '--parse', 'csv', '--format', 'json'], written.stdout);
        expect(back.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual(records);
      }),
      { numRuns: 8 },
    );
  });

  it('on objects with their keys in any order, under csv:header', async () => {
    const keys = fc.uniqueArray(fc.string({ unit: fc.constantFrom('k', 'é', ',', '"', ' '), minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 });
    const records = keys.chain((names) =>
      fc.array(fc.tuple(fc.array(value, { minLength: names.length, maxLength: names.length }), fc.shuffledSubarray(names, { minLength: names.length })), { minLength: 1, maxLength: 50 })
        .map((rows) => rows.map(([values, order]) => Object.fromEntries(order.map((name) => [name, values[names.indexOf(name)]!])))),
    );
    await fc.assert(
      fc.asyncProperty(records, async (rows) => {
        const written = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv:header'], rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const back = await sluice([...ONE_BATCH, '--parse', 'csv:header', '--format', 'json'], written.stdout);
        expect(back.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual(rows);
      }),
      { numRuns: 8 },
    );
  });
});
