// syslog: a line is one syslog message, RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or
// RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`), made an object with the same fields for both:
// {facility, severity, version, timestamp, hostname, appName, procId, msgId, structuredData, message}.
// A field the message leaves out (`-`, or absent in RFC 3164) is null.

import { CodecError, type CodecDef } from './codec.ts';

export interface SyslogRecord {
  facility: number;
  severity: number;
  /** 1 for RFC 5424; null for RFC 3164, which has none. */
  version: number | null;
  /** As written: RFC 5424's is ISO 8601, RFC 3164's has no year (`Oct 11 22:14:15`). */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** `[id k="v"]...` as {id: {k: v}}. */
  structuredData: Record<string, Record<string, string>> | null;
  message: string;
}

export const syslog: CodecDef = {
  name: 'syslog',
  summary: 'each line is a syslog message (RFC 5424 or RFC 3164), made an object',
  create: () => parseSyslog,
};

const PRI = /^<(\d{1,3})>/;
const HEADER_5424 = /^(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;
const HEADER_3164 = /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) ?/;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]]*)\])?: ?/;

export function parseSyslog(line: string): SyslogRecord {
  const pri = PRI.exec(line);
  if (!pri || Number(pri[1]) > 191) throw new CodecError('not a syslog message: expected <PRI> (0 to 191) at the start', 1);
  const facility = Number(pri[1]) >> 3;
  const severity = Number(pri[1]) & 7;
  const rest = line.slice(pri[0].length);
  const h = HEADER_5424.exec(rest);
  if (h) {
    const at = pri[0].length + h[0].length;
    const { data, end } = structuredData(line, at);
    const message = line.slice(end).replace(/^ /, '').replace(/^\uFEFF/, '');
    return { facility, severity, version: Number(h[1]), timestamp: nil(h[2]!), hostname: nil(h[3]!), appName: nil(h[4]!), procId: nil(h[5]!), msgId: nil(h[6]!), structuredData: data, message };
  }
  const record: SyslogRecord = { facility, severity, version: null, timestamp: null, hostname: null, appName: null, procId: null, msgId: null, structuredData: null, message: rest };
  const old = HEADER_3164.exec(rest);
  if (!old) return record;
  record.timestamp = old[1]!;
  record.hostname = old[2]!;
  const body = rest.slice(old[0].length);
  const tag = TAG.exec(body);
  if (!tag) return { ...record, message: body };
  return { ...record, appName: tag[1]!, procId: tag[2] ?? null, message: body.slice(tag[0].length) };
}

function nil(field: string): string | null {
  return field === '-' ? null : field;
}

/** RFC 5424's SD-NAME (an element's id, a parameter's name): 1 to 32 printable US-ASCII characters but = ] " and space. */
const SD_NAME = /^[!#-<>-\\^-~]{1,32}/;

/** RFC 5424's STRUCTURED-DATA from `at`: `-`, or elements `[ID NAME="VALUE" ...]` with \" \\ \] escaped. */
function structuredData(line: string, at: number): { data: Record<string, Record<string, string>> | null; end: number } {
  if (line[at] === '-') return { data: null, end: at + 1 };
  const fail = (why: string, i: number): never => {
    throw new CodecError(`bad structured data: ${why}`, i + 1);
  };
  if (line[at] !== '[') fail("expected '-' or '['", at);
  const data: Record<string, Record<string, string>> = {};
  let i = at;
  while (line[i] === '[') {
    const id = SD_NAME.exec(line.slice(i + 1, i + 34))?.[0] ?? fail('an element without its id', i + 1);
    const params: Record<string, string> = {};
    i += 1 + id.length;
    while (line[i] === ' ') {
      const name = SD_NAME.exec(line.slice(i + 1, i + 34))?.[0] ?? fail('a parameter without its name', i + 1);
      i += 1 + name.length;
      if (line[i] !== '=' || line[i + 1] !== '"') fail(`expected ="VALUE" after ${name}`, i);
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) fail(`the value of ${name} does not end`, i);
        if (c === '"') break;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === ']')) {
          value += line[i + 1];
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      params[name] = value;
      i++;
    }
    if (line[i] !== ']') fail("expected ']' or a parameter", i);
    data[id] = params;
    i++;
  }
  return { data, end: i };
}
