// The `?key=value` options of source and sink URIs, and the HOST:PORT of the network ones, checked
// when the pipeline is built so that a typo is a usage error rather than a stream that never works.

import { parseDuration } from '../core/duration.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';

const QUERY = /\?([a-z][a-z-]*=[^&]*(?:&[a-z][a-z-]*=[^&]*)*)$/;

/**
 * Split `rest` into what comes before its options and the options, each key one of `known`.
 * Only a trailing `?key=value&...` counts as options, so a glob's own `?` stays part of the path.
 */
export function uriOptions(rest: string, known: readonly string[], uri: string): { path: string; params: URLSearchParams } {
  const m = QUERY.exec(rest);
  const params = new URLSearchParams(m?.[1] ?? '');
  for (const key of new Set(params.keys())) {
    if (!known.includes(key)) {
      const choices = known.length ? ` (known: ${known.join(', ')})` : '';
      throw new UsageError(`${uri}: unknown option '${key}'${didYouMean(key, known) || choices}`);
    }
  }
  return { path: m ? rest.slice(0, m.index) : rest, params };
}

/** HOST:PORT[/PATH] of a network URI (the part after `scheme://`); IPv6 hosts in brackets. */
export function hostPort(rest: string, uri: string): { host: string; port: number; path: string } {
  let url: URL;
  try {
    url = new URL(`x://${rest}`);
  } catch {
    throw new UsageError(`${uri}: expected HOST:PORT, e.g. 127.0.0.1:9999`);
  }
  const port = Number(url.port);
  if (!url.hostname || !url.port || !Number.isInteger(port)) throw new UsageError(`${uri}: expected HOST:PORT, e.g. 127.0.0.1:9999`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, path: url.pathname };
}

/** A duration option in milliseconds, or `fallback` when it is not given. */
export function durationOption(params: URLSearchParams, key: string, fallback: number, uri: string): number {
  const text = params.get(key);
  if (text === null) return fallback;
  const ms = parseDuration(text);
  if (typeof ms !== 'number') throw new UsageError(`${uri}: ${key}: ${ms.error}`);
  return ms;
}

/** One of `choices` for option `key`, the first being the default. */
export function choiceOption<C extends string>(params: URLSearchParams, key: string, choices: readonly C[], uri: string): C {
  const value = params.get(key) ?? choices[0]!;
  if (!choices.includes(value as C)) throw new UsageError(`${uri}: ${key} must be ${choices.join(' or ')}, not '${value}'`);
  return value as C;
}
