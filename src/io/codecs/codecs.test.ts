// Each codec on good and malformed lines: records, or a CodecError with a reason and a column.

import { describe, expect, it } from 'vitest';
import { CodecError, SKIP } from './codec.ts';
import { createDecoder } from './index.ts';

function decodeAll(spec: string, lines: string[]): unknown[] {
  const decode = createDecoder(spec);
  return lines.map(decode);
}

function failure(spec: string, line: string): CodecError {
  try {
    createDecoder(spec)(line);
  } catch (err) {
    return err as CodecError;
  }
  throw new Error(`expected ${spec} to reject ${line}`);
}

describe('codecs', () => {
  it('json decodes NDJSON and gives the column of a syntax error', () => {
    expect(decodeAll('json', ['{"a":1}', '[1,2]', '"s"'])).toEqual([{ a: 1 }, [1, 2], 's']);
    const err = failure('json', '{"a":1,}');
    expect(err.message).toMatch(/^invalid JSON/);
    expect(err.column).toBe(8);
    // V8 does not say where a character that cannot begin a value is; its quote of the line is left out
    expect(failure('json', 'abc\u0001def')).toMatchObject({ message: "invalid JSON: Unexpected token 'a'", column: undefined });
    expect(failure('json', '\0').message).toBe("invalid JSON: Unexpected token '\\u0000'");
  });

  it('json skips a line of JSON whitespace, as jq does, and nothing else', () => {
    expect(decodeAll('json', ['', '\r', ' \t ', '1'])).toEqual([SKIP, SKIP, SKIP, 1]);
    expect(failure('json', '\f').message).toMatch(/^invalid JSON/);
    expect(failure('json', '\u00a0').message).toMatch(/^invalid JSON/);
  });

  it('csv follows RFC 4180 quoting; csv:header gives objects', () => {
    expect(decodeAll('csv', ['a,b,c', '"x,1","say ""hi""",', ''])).toEqual([['a', 'b', 'c'], ['x,1', 'say "hi"', ''], ['']]);
    expect(failure('csv', 'a,"open').message).toBe('unterminated quoted field');
    expect(failure('csv', 'a,"q"x').column).toBe(6);
    const decode = createDecoder('csv:header');
    expect([decode('n,v'), decode('a,1')].at(-1)).toEqual({ n: 'a', v: '1' });
    expect(() => decode('a,1,2')).toThrow(/3 fields where the header has 2/);
  });

  it('csv:header and tsv:header skip blank lines, before the header too, as Python csv.DictReader', () => {
    expect(decodeAll('csv:header', ['', 'n,v', '', 'a,1', '\r', 'b,2'])).toEqual([SKIP, SKIP, SKIP, { n: 'a', v: '1' }, SKIP, { n: 'b', v: '2' }]);
    expect(decodeAll('tsv:header', ['n\tv', '', 'a\t1'])).toEqual([SKIP, SKIP, { n: 'a', v: '1' }]);
    // a blank line is a record of one empty field without a header, as before
    expect(decodeAll('csv', [''])).toEqual([['']]);
  });

  it('a byte order mark is not part of the first header name', () => {
    expect(decodeAll('csv:header', ['\uFEFFid,name', '1,a']).at(-1)).toEqual({ id: '1', name: 'a' });
    expect(decodeAll('tsv:header', ['\uFEFFid\tname', '1\ta']).at(-1)).toEqual({ id: '1', name: 'a' });
  });

  it('a header naming a field twice is refused, and so is every row under it', () => {
    const decode = createDecoder('csv:header');
    expect(() => decode('a,b,a,c,b')).toThrow("the header names 'a', 'b' more than once: each field needs a name of its own");
    // the next row is not taken for the header
    expect(() => decode('1,2,3,4,5')).toThrow(/^no header to name the fields: the header names 'a', 'b'/);
    expect(() => createDecoder('tsv:header')('x\tx')).toThrow(/'x' more than once/);
  });

  it('tsv splits on tabs and unescapes what --format tsv escapes', () => {
    expect(decodeAll('tsv', ['a\tb c\t'])).toEqual([['a', 'b c', '']]);
    expect(decodeAll('tsv', ['a\\tb\tc\\nd\\re\te\\\\\tf\\x\\'])).toEqual([['a\tb', 'c\nd\re', 'e\\', 'f\\x\\']]);
  });

  it('split is awk field splitting without a separator, exact with one', () => {
    expect(decodeAll('split', ['  a \t b  c ', ''])).toEqual([['a', 'b', 'c'], []]);
    expect(decodeAll('split:,', ['a,,b'])).toEqual([['a', '', 'b']]);
  });

  it('clf decodes common and combined log lines', () => {
    const [combined, common] = decodeAll('clf', [
      '10.0.0.1 - alice [25/Nov/2026:10:00:02 +0000] "GET /a?b=1 HTTP/1.1" 404 512 "http://r/" "curl/8 (x)"',
      '::1 - - [25/Nov/2026:10:00:02 +0000] "POST /x HTTP/1.0" 200 -',
    ]) as Record<string, unknown>[];
    expect(combined).toMatchObject({ host: '10.0.0.1', user: 'alice', method: 'GET', path: '/a?b=1', status: 404, bytes: 512, referer: 'http://r/', agent: 'curl/8 (x)' });
    expect(common).toMatchObject({ host: '::1', status: 200, bytes: 0, referer: null });
    expect(failure('clf', 'not a log line').message).toMatch(/not a common or combined log format line/);
  });

  it('clf keeps what follows the combined fields in extra: nginx main, request times, upstream fields', () => {
    const head = '10.0.0.1 - - [25/Nov/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 5';
    const decode = createDecoder('clf');
    expect(decode(`${head} "-" "curl/8" "203.0.113.9, 10.0.0.2"`)).toMatchObject({ referer: '-', agent: 'curl/8', extra: ['203.0.113.9, 10.0.0.2'] });
    expect(decode(`${head} "-" "a" 0.004 [svc-80] [] uct="1 2" "x\\"y"\r`)).toMatchObject({ extra: ['0.004', '[svc-80]', '[]', 'uct="1 2"', 'x\\"y'] });
    // not a quoted referer and agent: the fields are extra, the combined ones null
    expect(decode(`${head} 1234`)).toMatchObject({ referer: null, agent: null, extra: ['1234'] });
    expect(decode(head)).toMatchObject({ extra: [] });
    expect(failure('clf', `${head} "-" "open`)).toMatchObject({ message: 'unterminated quoted field', column: head.length + 6 });
    expect(failure('clf', `${head} "-"x "a"`)).toMatchObject({ message: 'unexpected text after a quoted field', column: head.length + 5 });
  });

  it('clf takes a request holding \\" and a status -, as Apache writes for malformed requests', () => {
    const decode = createDecoder('clf');
    expect(decode('1.2.3.4 - - [05/Jan/2017:14:22:53 +0000] "GET /a\\" b HTTP/1.1" - - "-" "-"')).toMatchObject({
      request: 'GET /a\\" b HTTP/1.1', method: 'GET', path: '/a\\" b', protocol: 'HTTP/1.1', status: null, bytes: 0,
    });
    expect(decode('1.2.3.4 - - [05/Jan/2017:14:22:53 +0000] "\\x16\\x03\\x01" 400 226 "-" "-"')).toMatchObject({ method: null, path: null, status: 400 });
    expect(decode('1.2.3.4 - - [05/Jan/2017:14:22:53 +0000] "GET /a[ ]b" 200 1')).toMatchObject({ path: '/a[ ]b', protocol: null });
  });

  it('syslog takes RFC 5424 and RFC 3164 messages apart into the same fields', () => {
    const [modern, old, bare] = decodeAll('syslog', [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication\\]"][examplePriority@32473 class="high"] \uFEFFAn application event',
      '<34>Oct 11 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8',
      '<13>just text',
    ]);
    expect(modern).toEqual({
      facility: 20,
      severity: 5,
      version: 1,
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: null,
      msgId: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'Appl"ication]' }, 'examplePriority@32473': { class: 'high' } },
      message: 'An application event',
    });
    expect(old).toMatchObject({ facility: 4, severity: 2, version: null, timestamp: 'Oct 11 22:14:15', hostname: 'mymachine', appName: 'su', procId: '230', message: "'su root' failed for lonvick on /dev/pts/8" });
    expect(bare).toMatchObject({ facility: 1, severity: 5, timestamp: null, message: 'just text' });
    expect(decodeAll('syslog', ['<14>1 - - - - - -'])[0]).toMatchObject({ timestamp: null, hostname: null, structuredData: null, message: '' });
    expect(failure('syslog', 'Oct 11 no pri')).toMatchObject({ message: 'not a syslog message: expected <PRI> (0 to 191) at the start', column: 1 });
    expect(failure('syslog', '<14>1 - h a - - [id x="open')).toMatchObject({ message: 'bad structured data: the value of x does not end', column: 28 });
  });

  it('regex gives the named groups', () => {
    expect(decodeAll('regex:(?<k>\\w+)=(?<v>\\d+)', ['a=1'])).toEqual([{ k: 'a', v: '1' }]);
    expect(failure('regex:(?<k>\\w+)=(?<v>\\d+)', 'nope').message).toMatch(/does not match/);
    // a CRLF line matches a `$` anchor; a CR inside the line is still text
    expect(decodeAll('regex:^(?<k>\\w+)$', ['ab\r'])).toEqual([{ k: 'ab' }]);
    expect(failure('regex:^(?<k>\\w+)$', 'a\rb').message).toMatch(/does not match/);
    expect(() => createDecoder('regex:(')).toThrow(CodecError);
    expect(() => createDecoder('regex:a+')).toThrow(/no named groups/);
  });

  it('an unknown codec is named with the known ones', () => {
    expect(() => createDecoder('xml')).toThrow(/unknown codec 'xml': use one of json, csv/);
  });
});
