// clf: Common and Combined Log Format lines (Apache, nginx) as objects.

import { CodecError, type CodecDef } from './codec.ts';

const CLF =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((\S+) (\S+?)(?: (\S+))?|[^"]*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\s*$/;

export interface ClfRecord {
  host: string;
  ident: string;
  user: string;
  time: string;
  request: string;
  method: string | null;
  path: string | null;
  protocol: string | null;
  status: number;
  bytes: number;
  referer: string | null;
  agent: string | null;
}

export function parseClf(line: string): ClfRecord {
  const m = CLF.exec(line);
  if (!m) throw new CodecError('not a common or combined log format line');
  return {
    host: m[1]!,
    ident: m[2]!,
    user: m[3]!,
    time: m[4]!,
    request: m[5]!,
    method: m[6] ?? null,
    path: m[7] ?? null,
    protocol: m[8] ?? null,
    status: Number(m[9]),
    bytes: m[10] === '-' ? 0 : Number(m[10]),
    referer: m[11] ?? null,
    agent: m[12] ?? null,
  };
}

export const clf: CodecDef = {
  name: 'clf',
  summary: 'Common/Combined Log Format as {host, user, time, method, path, status, bytes, referer, agent, ...}',
  create: () => parseClf,
};
