// clf: Common and Combined Log Format lines (Apache, nginx) as objects; what follows the combined
// fields (nginx's "$http_x_forwarded_for", request times, upstream fields) is kept in `extra`.

import { CodecError, type CodecDef } from './codec.ts';

/** The common fields; a quoted request may hold `\"` (Apache escapes it so), status may be `-`. */
const HEAD = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?=\s|$)/;
/** A request line: the method, the target (which may hold spaces) and the protocol if there is one. */
const REQUEST = /^(\S+) (.+?)(?: (HTTP\/[\d.]+))?$/;

export interface ClfRecord {
  host: string;
  ident: string;
  user: string;
  time: string;
  request: string;
  method: string | null;
  path: string | null;
  protocol: string | null;
  status: number | null;
  bytes: number;
  referer: string | null;
  agent: string | null;
  /** The fields after the agent (or after the bytes, when they are not a quoted referer and agent). */
  extra: string[];
}

export function parseClf(line: string): ClfRecord {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const m = HEAD.exec(text);
  if (!m) throw new CodecError('not a common or combined log format line');
  const request = REQUEST.exec(m[5]!);
  const rest = trailingFields(text, m[0].length);
  // combined: a quoted referer and agent come first; anything else is extra
  const combined = rest.length >= 2 && rest[0]!.quoted && rest[1]!.quoted;
  return {
    host: m[1]!,
    ident: m[2]!,
    user: m[3]!,
    time: m[4]!,
    request: m[5]!,
    method: request?.[1] ?? null,
    path: request?.[2] ?? null,
    protocol: request?.[3] ?? null,
    status: m[6] === '-' ? null : Number(m[6]),
    bytes: m[7] === '-' ? 0 : Number(m[7]),
    referer: combined ? rest[0]!.text : null,
    agent: combined ? rest[1]!.text : null,
    extra: rest.slice(combined ? 2 : 0).map((f) => f.text),
  };
}

interface Field {
  text: string;
  quoted: boolean;
}

/**
 * The blank-separated fields of `line` from `from` on: a quoted one is its text inside the quotes as
 * written (escapes kept, as for the referer); a bare one runs to the next blank, any quoted part in
 * it (`uct="a b"`) included.
 */
function trailingFields(line: string, from: number): Field[] {
  const fields: Field[] = [];
  const n = line.length;
  const blank = (c: string | undefined) => c === ' ' || c === '\t';
  let i = from;
  for (;;) {
    while (blank(line[i])) i++;
    if (i >= n) return fields;
    let j = i;
    if (line[i] === '"') {
      for (j = i + 1; j < n && line[j] !== '"'; j += line[j] === '\\' ? 2 : 1);
      if (j >= n) throw new CodecError('unterminated quoted field', i + 1);
      if (j + 1 < n && !blank(line[j + 1])) throw new CodecError('unexpected text after a quoted field', j + 2);
      fields.push({ text: line.slice(i + 1, j), quoted: true });
      i = j + 1;
      continue;
    }
    for (let inQuotes = false; j < n && (inQuotes || !blank(line[j])); j++) {
      if (line[j] === '"') inQuotes = !inQuotes;
      else if (inQuotes && line[j] === '\\') j++;
    }
    fields.push({ text: line.slice(i, Math.min(j, n)), quoted: false });
    i = j;
  }
}

export const clf: CodecDef = {
  name: 'clf',
  summary: 'Common/Combined Log Format as {host, user, time, method, path, status, bytes, referer, agent, extra, ...}',
  create: () => parseClf,
};
