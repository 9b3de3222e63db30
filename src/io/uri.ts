// URIs of sources and sinks: finding a URI's definition (`-`, `scheme:rest`, `scheme://rest`, or a
// path), its HOST:PORT, and its `?key=value` parameters, checked against the scheme's table of them
// when the pipeline is built, so that a typo is a usage error rather than a stream that never works.

import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { checkValue, defaultValue, metavarOf, type Field } from '../core/values.ts';

/** A `?key=value` parameter of a scheme. */
export interface UriParam extends Field {
  /** May be given more than once (`?header=A:1&header=B:2`): its value is then the list of them. */
  repeat?: boolean;
}

/** What source and sink definitions share: a scheme, how it is written, and its parameters. */
export interface UriDef {
  /** `tail` for `tail:GLOB`; '' for plain paths, '-' for stdin and stdout. */
  scheme: string;
  usage: string;
  /** One line, for --help and the man page; its parameters are listed after it. */
  summary: string;
  /** Its `?key=` parameters; absent where everything after the scheme is the path (a `?` is a glob's). */
  params?: readonly UriParam[];
  /** Keys not in `params` are the target's own (an HTTP URL's query) and stay in the path, unless they look like a typo of one of ours. */
  forwardsQuery?: boolean;
}

export type ParamValues = Record<string, unknown>;

const SCHEME = /^([a-z][a-z0-9+.-]*):/;

/** The definition for `uri` and the text after its scheme; a plain path goes to `fallback`. */
export function resolveUri<D extends UriDef>(uri: string, registry: readonly D[], fallback: D, kind: string): { def: D; rest: string } {
  if (uri === '-') return { def: registry.find((d) => d.scheme === '-')!, rest: '' };
  const m = SCHEME.exec(uri);
  const def = m && registry.find((d) => d.scheme === m[1]);
  if (def) return { def, rest: uri.slice(m[0].length).replace(/^\/\/(?=[^/])/, '') };
  if (m && uri.startsWith(`${m[1]}://`)) {
    throw new UsageError(`unknown ${kind} '${uri}': no ${kind} for ${m[1]}:// (known: ${registry.map((d) => d.usage).join(', ')})`);
  }
  return { def: fallback, rest: uri };
}

const QUERY = /\?([a-z][a-z-]*=[^&]*(?:&[a-z][a-z-]*=[^&]*)*)$/;

/**
 * `rest` without its parameters, and their values, checked against `def`'s table with defaults
 * filled in. Only a trailing `?key=value&...` counts, so a glob's own `?` stays part of the path.
 */
export function uriParams(rest: string, def: UriDef, given: string): { path: string; values: ParamValues } {
  if (!def.params) return { path: rest, values: {} };
  const uri = redactedUri(given);
  if (def.forwardsQuery) {
    // an HTTP target's own query: every key that is not ours goes on to the server
    const q = rest.indexOf('?');
    if (q < 0) return { path: rest, values: checkParams(new URLSearchParams(), def.params, uri).values };
    const { values, others } = checkParams(new URLSearchParams(rest.slice(q + 1)), def.params, uri, true);
    return { path: `${rest.slice(0, q)}${others.size ? `?${others}` : ''}`, values };
  }
  const m = QUERY.exec(rest);
  const { values } = checkParams(new URLSearchParams(m?.[1] ?? ''), def.params, uri);
  return { path: m ? rest.slice(0, m.index) : rest, values };
}

/**
 * The values of `query` for the parameters of `table`, checked, with defaults; a key not in the table
 * is refused with a suggestion, or with `forward` kept in `others` to pass on (an HTTP target's own
 * query), unless it is so near one of the table's that it must be a typo.
 */
export function checkParams(query: URLSearchParams, table: readonly UriParam[], uri: string, forward = false): { values: ParamValues; others: URLSearchParams } {
  const names = table.map((p) => p.name);
  const others = new URLSearchParams();
  for (const [key, value] of query) {
    if (names.includes(key)) continue;
    const hint = didYouMean(key, names);
    if (forward && !hint) others.append(key, value);
    else throw new UsageError(`${uri}: unknown option '${key}'${hint || (names.length ? ` (known: ${names.join(', ')})` : '')}`);
  }
  const values: ParamValues = {};
  for (const param of table) {
    const given = query.getAll(param.name);
    if (given.length > 1 && !param.repeat) throw new UsageError(`${uri}: ${param.name} is given ${given.length} times; give it once`);
    const checked = given.map((text) => {
      const c = checkValue(param, text);
      if ('error' in c) throw new UsageError(`${uri}: ${param.name}: ${c.error}`);
      return c.value;
    });
    values[param.name] = param.repeat ? checked : given.length ? checked[0] : defaultValue(param);
  }
  return { values, others };
}

/** A URI as messages may show it: an HTTP URL without its query and credentials, which may hold secrets; another without its password. */
export function redactedUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return `${url.origin}${url.pathname}`;
  } catch {
    // not a URL (a path, a bad port): the password, if any, goes all the same
  }
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, '$1:***@');
}

/** A parameter as help and the man page write it: `?poll=DUR (250ms): how often ...`. */
export function paramText(p: UriParam): string {
  const value = metavarOf(p.value) || 'true|false';
  return `?${p.name}=${value}${p.default === undefined ? '' : ` (${p.default})`}: ${p.summary}`;
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
