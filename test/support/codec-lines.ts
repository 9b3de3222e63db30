// Lines to fuzz the codecs with: well-formed lines of each codec's format, the same lines mutated
// (quotes, separators, NULs, CRs, bytes that are not UTF-8, cut short, very long), and random bytes.
// Never a newline: each is one line.

import fc from 'fast-check';

/** RFC 4180 quoting, when a field needs it. */
export const csvField = (f: string) => (/[",\r]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);

const text = (chars: string[], maxLength = 12) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
const fieldChars = ['a', 'b', 'Z', '0', ' ', 'é', '💥', '\0'];
const token = text(['a', 'b', '0', '.', '/', '-', '%', 'é'], 8).filter((s) => s.length > 0);

export interface ClfFields {
  host: string;
  user: string;
  time: string;
  method: string;
  path: string;
  status: number;
  bytes: number | '-';
  referer: string;
  agent: string;
}

export const clfFields: fc.Arbitrary<ClfFields> = fc.record({
  host: token,
  user: fc.oneof(fc.constant('-'), token),
  time: fc.constant('25/Nov/2026:10:00:02 +0000'),
  method: fc.constantFrom('GET', 'POST', 'HEAD'),
  path: token.map((s) => `/${s}`),
  status: fc.integer({ min: 100, max: 599 }),
  bytes: fc.oneof(fc.nat(), fc.constant('-' as const)),
  referer: text([...fieldChars, '"', '\\']),
  agent: text([...fieldChars, '"', '\\', '(', ')']),
});

const quoted = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
export const clfLine = (r: ClfFields) =>
  `${r.host} - ${r.user} [${r.time}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} ${quoted(r.referer)} ${quoted(r.agent)}`;

/** Well-formed lines for each codec of the registry, and the --parse specs that fuzz it. */
export const WELL_FORMED: Record<string, { specs: string[]; line: fc.Arbitrary<string> }> = {
  json: { specs: ['json'], line: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  csv: {
    specs: ['csv', 'csv:header'],
    line: fc.array(text([...fieldChars, ',', '"', '\r', '\t']), { minLength: 1, maxLength: 6 }).map((fs) => fs.map(csvField).join(',')),
  },
  tsv: { specs: ['tsv', 'tsv:header'], line: fc.array(text([...fieldChars, ',', '"']), { minLength: 1, maxLength: 6 }).map((fs) => fs.join('\t')) },
  clf: { specs: ['clf'], line: clfFields.map(clfLine) },
  split: {
    specs: ['split', 'split:,'],
    line: fc.array(fc.tuple(text(['a', 'é', ',', '"']), text([' ', '\t'], 3)), { maxLength: 6 }).map((parts) => parts.flat().join('')),
  },
  syslog: {
    specs: ['syslog'],
    line: fc
      .tuple(fc.integer({ min: 0, max: 191 }), text(['a', 'é', '-', '.']), text(['k', '"', '\\', ']', ' ', 'é']), text(['m', ' ', '[', ':']))
      .map(([pri, host, value, msg]) => `<${pri}>1 2026-12-03T00:00:00Z ${host || '-'} app - - [id k="${value.replace(/["\\\]]/g, '\\$&')}"] ${msg}`),
  },
  regex: { specs: ['regex:^(?<k>\\w+)=(?<v>\\d*)$'], line: fc.tuple(text(['a', 'b', '_', '9'], 6), text(['1', '2'], 4)).map(([k, v]) => `${k}=${v}`) },
};

/** Bytes that upset decoders: quotes, separators, escapes, NUL, CR, and sequences that are not UTF-8. */
const NASTY: Buffer[] = [
  ...['"', ',', '\t', '\r', '\0', '\\', '{', '}', '[', ']', ' ', '=', '-', 'é', '💥'].map((s) => Buffer.from(s)),
  ...[[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]].map((b) => Buffer.from(b)),
];

type Mutation = { insert: Buffer; at: number } | { remove: number; at: number } | { cut: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ insert: fc.constantFrom(...NASTY), at: fc.nat() }),
  fc.record({ remove: fc.integer({ min: 1, max: 8 }), at: fc.nat() }),
  fc.record({ cut: fc.nat() }),
);

function mutate(line: Buffer, m: Mutation): Buffer {
  if ('cut' in m) return line.subarray(0, m.cut % (line.length + 1));
  const at = m.at % (line.length + 1);
  if ('insert' in m) return Buffer.concat([line.subarray(0, at), m.insert, line.subarray(at)]);
  return Buffer.concat([line.subarray(0, at), line.subarray(at + m.remove)]);
}

/** Lines for a codec whose well-formed lines are `wellFormed`: valid, with CRLF, mutated, long, random. */
export function fuzzLines(wellFormed: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  const valid = wellFormed.map((s) => Buffer.from(s));
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 1, arbitrary: valid.map((b) => Buffer.concat([b, Buffer.from('\r')])) },
    { weight: 6, arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) => ms.reduce(mutate, b)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 10))) },
    {
      weight: 1,
      // a line of 5 to 100 thousand bytes: a valid line repeated, perhaps opened by a quote that never closes
      arbitrary: fc.tuple(valid, fc.integer({ min: 5_000, max: 100_000 }), fc.boolean()).map(([b, length, quote]) => {
        const unit = b.length ? b : Buffer.from('x');
        const long = Buffer.concat(Array.from({ length: Math.ceil(length / unit.length) }, () => unit)).subarray(0, length);
        return quote ? Buffer.concat([Buffer.from('"'), long]) : long;
      }),
    },
  );
}
