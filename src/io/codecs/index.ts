// The registry of codecs for --parse NAME[:PARAM].

import { clf } from './clf.ts';
import { CodecError, type CodecDef, type Decode } from './codec.ts';
import { csv, tsv } from './delimited.ts';
import { json } from './json.ts';
import { regex } from './regex.ts';
import { split } from './split.ts';
import { syslog } from './syslog.ts';

export const CODECS: readonly CodecDef[] = [json, csv, tsv, clf, split, regex, syslog];

/** How --parse takes a codec, as help, the man page and README write it: `json`, `csv[:header]`, `regex:RE`. */
export function codecUsage(def: CodecDef): string {
  if (!def.param) return def.name;
  return def.paramRequired ? `${def.name}:${def.param}` : `${def.name}[:${def.param}]`;
}

/**
 * What a shell completes for --parse: each codec's name, unless it needs its part, and with its part
 * when that is a word (`csv:header`), or the name and colon when it is for the user to write (`regex:`,
 * a part in capitals as codecUsage shows it).
 */
export function codecWords(): string[] {
  return CODECS.flatMap((c) => {
    if (!c.param) return [c.name];
    const withParam = c.param === c.param.toUpperCase() ? `${c.name}:` : `${c.name}:${c.param}`;
    return c.paramRequired ? [withParam] : [c.name, withParam];
  });
}

/** Split `name:param`; the codec's own errors (a bad regex) come back as CodecError. */
export function createDecoder(spec: string): Decode {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const param = colon < 0 ? undefined : spec.slice(colon + 1);
  const def = CODECS.find((c) => c.name === name);
  if (!def) throw new CodecError(`unknown codec '${name}': use one of ${CODECS.map((c) => c.name).join(', ')}`);
  try {
    return def.create(param);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError(`${name}: ${(err as Error).message}`);
  }
}
