// Each codec on good and malformed lines: records, or a CodecError with a reason and a column.

import { describe, expect, it } from 'vitest';
import { CodecError } from './codec.ts';
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

  it('csv follows RFC 4180 quoting; csv:header gives objects', () => {
    expect(decodeAll('csv', ['a,b,c', '"x,1","say ""hi""",', ''])).toEqual([['a', 'b', 'c'], ['x,1', 'say "hi"', ''], ['']]);
    expect(failure('csv', 'a,"open').message).toBe('unterminated quoted field');
    expect(failure('csv', 'a,"q"x').column).toBe(6);
    const decode = createDecoder('csv:header');
    expect([decode('n,v'), decode('a,1')].at(-1)).toEqual({ n: 'a', v: '1' });
    expect(() => decode('a,1,2')).toThrow(/3 fields where the header has 2/);
  });

  it('tsv splits on tabs', () => {
    expect(decodeAll('tsv', ['a\tb c\t'])).toEqual([['a', 'b c', '']]);
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
    expect(() => createDecoder('regex:(')).toThrow(CodecError);
    expect(() => createDecoder('regex:a+')).toThrow(/no named groups/);
  });

  it('an unknown codec is named with the known ones', () => {
    expect(() => createDecoder('xml')).toThrow(/unknown codec 'xml': use one of json, csv/);
  });
});
