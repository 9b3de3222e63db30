// Formats as they are in the wild, through the real bin/sluice: blank lines, byte order marks, CRLF,
// TSV escapes, nginx and Apache log lines, CSV output with headers and columns, Sets and Maps,
// event times in seconds.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';

const ONE_BATCH = ['-b', '1h'];
const json = (stdout: string) => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);

/** `args` on `input` fail the run saying `message`, writing nothing; with --on-error skip they write `kept`, counting `skipped`. */
async function badRecords(args: string[], input: string, message: string, kept: string, skipped: string): Promise<void> {
  const r = await sluice([...ONE_BATCH, ...args], input);
  expect(r).toMatchObject({ code: 1, stdout: '' });
  expect(r.stderr).toContain(message);
  const skip = await sluice([...ONE_BATCH, ...args, '--on-error', 'skip'], input);
  expect(skip).toMatchObject({ code: 0, stdout: kept });
  expect(skip.stderr).toContain(`${skipped} skipped`);
}

describe('input codecs', () => {
  it('json, csv:header and tsv:header skip blank lines (a trailing empty line fails nothing)', async () => {
    const j = await sluice([...ONE_BATCH, '--parse', 'json', '--map', 'x.a'], '{"a":1}\n\n  \r\n{"a":2}\n\n');
    expect(j).toMatchObject({ code: 0, stdout: '1\n2\n', stderr: '' });
    const c = await sluice([...ONE_BATCH, '--parse', 'csv:header', '--format', 'json'], 'n,v\r\n\r\na,1\r\n\r\n');
    expect(c).toMatchObject({ code: 0, stdout: '{"n":"a","v":"1"}\n', stderr: '' });
    const t = await sluice([...ONE_BATCH, '--parse', 'tsv:header', '--format', 'json'], 'n\tv\n\na\t1\n\n');
    expect(t).toMatchObject({ code: 0, stdout: '{"n":"a","v":"1"}\n', stderr: '' });
  });

  it('a UTF-8 byte order mark is not part of the first header name', async () => {
    const r = await sluice([...ONE_BATCH, '--parse', 'csv:header', '--map', 'x.id'], '\uFEFFid,name\n7,a\n');
    expect(r).toMatchObject({ code: 0, stdout: '7\n' });
  });

  it('a header naming a field twice is an error naming it, and no row is taken for the header', async () => {
    await badRecords(['--parse', 'csv:header', '--format', 'json'], 'a,b,a\n1,2,3\n4,5,6\n', "stdin:1: the header names 'a' more than once", '', '3 bad records');
  });

  it('tsv input unescapes what tsv output escapes: passing tsv through changes no byte', async () => {
    const text = 'a\\tb\tc\\\\d\te\\nf\\rg\n';
    const r = await sluice([...ONE_BATCH, '--parse', 'tsv', '--format', 'tsv'], text);
    expect(r).toMatchObject({ code: 0, stdout: text });
    // a backslash before anything else is text
    const fields = await sluice([...ONE_BATCH, '--parse', 'tsv', '--format', 'json'], `${text}h\\x\n`);
    expect(json(fields.stdout)).toEqual([['a\tb', 'c\\d', 'e\nf\rg'], ['h\\x']]);
  });

  it('--parse regex matches a CRLF line with a $ anchor; raw lines keep their CR', async () => {
    const r = await sluice([...ONE_BATCH, '--parse', 'regex:^(?<k>\\w+)=(?<v>\\d+)$', '--format', 'json'], 'a=1\r\nb=2\r\n');
    expect(r).toMatchObject({ code: 0, stdout: '{"k":"a","v":"1"}\n{"k":"b","v":"2"}\n' });
    const raw = await sluice([...ONE_BATCH, '--map', 'x.length'], 'ab\r\n');
    expect(raw.stdout).toBe('3\n');
  });

  it("clf reads nginx's main format, with the forwarded-for in extra", async () => {
    const line = '10.244.0.2 - - [17/Aug/2022:14:16:56 +0000] "GET / HTTP/1.1" 304 0 "-" "Mozilla/5.0" "172.19.0.1"\n';
    const r = await sluice([...ONE_BATCH, '--parse', 'clf', '--map', '[x.status, x.agent, x.extra]', '--format', 'json'], line);
    expect(r).toMatchObject({ code: 0, stdout: '[304,"Mozilla/5.0",["172.19.0.1"]]\n', stderr: '' });
  });

  it('clf takes a request with \\" and a status -', async () => {
    const line = '1.2.3.4 - - [05/Jan/2017:14:22:53 +0000] "GET /a\\" HTTP/1.1" - - "-" "-"\n';
    const r = await sluice([...ONE_BATCH, '--parse', 'clf', '--map', '[x.path, x.status]', '--format', 'json'], line);
    expect(r).toMatchObject({ code: 0, stdout: '["/a\\\\\\"",null]\n' });
  });
});

describe('csv and tsv output', () => {
  it("--format csv keeps the first record's columns whatever the key order; csv:header writes them first", async () => {
    const input = '{"a":1,"b":2}\n{"b":3,"a":4}\n{"a":5}\n';
    const plain = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv'], input);
    expect(plain).toMatchObject({ code: 0, stdout: '1,2\n4,3\n5,\n' });
    const header = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv:header'], input);
    expect(header).toMatchObject({ code: 0, stdout: 'a,b\n1,2\n4,3\n5,\n' });
    const cols = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'tsv:cols=b,a', '--with-time'], input);
    expect(cols.stdout).toMatch(/^time\tb\ta\n\d+\t2\t1\n\d+\t3\t4\n\d+\t\t5\n$/);
  });

  it('a key outside the columns is a bad record at its input line; nothing of the batch is written', async () => {
    const message = "stdin:2: -: 'c' is not one of the columns a: name them all with csv:cols=A,B,...";
    await badRecords(['--parse', 'json', '--format', 'csv'], '{"a":1}\n{"a":2,"c":3}\n', message, '1\n', '1 bad record');
  });

  it('the header opens every batch file and an append: file only while it is empty', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.csv');
    const input = '{"k":"x","n":1}\n{"n":2,"k":"y"}\n';
    for (let run = 0; run < 2; run++) {
      const r = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv:header', '-o', `append:${out}`], input);
      expect(r.code).toBe(0);
    }
    expect(readFileSync(out, 'utf8')).toBe('k,n\nx,1\ny,2\nx,1\ny,2\n');
    writeFileSync(join(dir, 'in.ndjson'), input);
    const r = await sluice([...ONE_BATCH, '--parse', 'json', '--format', 'csv:header', '-o', join(dir, 'batch.csv'), '-i', join(dir, 'in.ndjson')]);
    expect(r.code).toBe(0);
    const written = readdirSync(dir).filter((f) => /^batch-\d+\.csv$/.test(f));
    expect(written).toHaveLength(1);
    expect(readFileSync(join(dir, written[0]!), 'utf8')).toBe('k,n\nx,1\ny,2\n');
  });

  it('an empty single-field record is written as "", and reads back as one record', async () => {
    const r = await sluice([...ONE_BATCH, '--map', '""', '--format', 'csv'], 'a\nb\n');
    expect(r.stdout).toBe('""\n""\n');
    const back = await sluice([...ONE_BATCH, '--parse', 'csv', '--format', 'json'], r.stdout);
    expect(back.stdout).toBe('[""]\n[""]\n');
  });
});

describe('values that JSON does not know', () => {
  it('a Set is written as an array, a Map as an object or as pairs', async () => {
    const r = await sluice([...ONE_BATCH, '--map', '[new Set([x, x]), new Map([[x, 1]]), new Map([[[x], 2]])]', '--format', 'json'], 'a\n');
    expect(r).toMatchObject({ code: 0, stdout: '[["a"],{"a":1},[[["a"],2]]]\n' });
    const text = await sluice([...ONE_BATCH, '--flat-map', 'x.split(" ")', '--map', '[x, 1]', '--reduce-by-key', 'a + b', '--map', 'new Map([x])'], 'a b a\n');
    expect(text.stdout).toBe('{"a":2}\n{"b":1}\n');
  });

  it('a Promise is a bad record that says to return a plain value', async () => {
    const message = 'stdin:2: -: a Promise is not a value: expressions are not awaited, return a plain value';
    await badRecords(['--map', 'x === "b" ? Promise.resolve(x) : x'], 'a\nb\n', message, 'a\n', '1 bad record');
    // from a window too, where no input line is at hand
    const w = await sluice([...ONE_BATCH, '--window', '1h', '--reduce', 'Promise.resolve(a)', '--on-error', 'skip'], 'a\nb\n');
    expect(w).toMatchObject({ code: 0, stdout: '' });
    expect(w.stderr).toContain('1 bad record skipped');
  });
});

describe('event time in epoch seconds', () => {
  const input = ['{"t":1764064800,"w":"a"}', '{"t":1764064830,"w":"b"}', '{"t":1764064890,"w":"a"}', ''].join('\n');
  const args = ['--parse', 'json', '--window', '1m', '--event-time', 'x.t'];
  const count = ['--map', 'x.w', '--count-by-value', '--with-time'];

  it('taken as ms, they are said once on stderr to look like seconds', async () => {
    const r = await sluice([...args, ...count], input);
    expect(r.code).toBe(0);
    const told = r.stderr.split('\n').filter((l) => l.includes('--event-time-unit s'));
    expect(told).toEqual(['sluice: --count-by-value: event time 1764064800 is 1970-01-21T10:01:04.800Z as epoch ms; if the times are epoch seconds, add --event-time-unit s']);
  });

  it('--event-time-unit s windows them by their minutes', async () => {
    const r = await sluice([...args, '--event-time-unit', 's', ...count], input);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['1764064860000\ta\t1', '1764064860000\tb\t1', '1764064920000\ta\t1']);
  });

  it('help and the schema know the option (the man page is checked against help)', async () => {
    const help = await sluice(['--help']);
    expect(help.stdout).toMatch(/--event-time-unit <ms\|s> +with --event-time: what a numeric time counts/);
    const schema = await sluice(['schema']);
    expect(schema.stdout).toContain('event-time-unit');
  });
});
