// URIs of sources and sinks: finding a URI's definition (`-`, `scheme:rest`, `scheme://rest`, or a
// path), its `?key=value` parameters, checked against the scheme's table of them, and its target
// (HOST:PORT, BROKERS/TOPIC) parsed by the scheme's own rule. One check, every problem of a URI at
// once, when the pipeline is checked: lint refuses what run would, and a typo is an error rather
// than a stream that never works.

import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { checkValue, defaultValue, metavarOf, type Completion, type Field } from '../core/values.ts';

/** A `?key=value` parameter of a scheme. */
export interface UriParam extends Field {
  /** May be given more than once (`?header=A:1&header=B:2`): its value is then the list of them. */
  repeat?: boolean;
}

export type ParamValues = Record<string, unknown>;

/** Where a scheme's target rule reports each thing wrong (a message without the URI, which is added). */
export type Problem = (message: string) => void;

/** What source and sink definitions share: a scheme, how it is written, its parameters and its target. */
export interface UriDef<T = unknown> {
  /** `tail` for `tail:GLOB`; '' for plain paths, '-' for stdin and stdout. */
  scheme: string;
  usage: string;
  /** One line, for --help and the man page; its parameters are listed after it. */
  summary: string;
  /** Its `?key=` parameters; absent where everything after the scheme is the path (a `?` is a glob's). */
  params?: readonly UriParam[];
  /** Keys not in `params` are the target's own (an HTTP URL's query) and stay in the path, unless they look like a typo of one of ours. */
  forwardsQuery?: boolean;
  /**
   * The text after the scheme, less its parameters, as the scheme needs it (HOST:PORT, BROKERS/TOPIC),
   * and the rules between it and the parameters; what it returns is what create() is given. Without
   * it the target is that text as given.
   */
  target?(path: string, params: ParamValues, problem: Problem): T;
}

/**
 * What a shell completes for a URI of `defs`: each scheme as it is written (`tail:`, `tcp://`), and
 * files, for a plain path; after a scheme whose target is a path (`tail:GLOB`), the path.
 */
export function uriCompletion(defs: readonly UriDef[]): Completion {
  const words: string[] = [];
  const pathPrefixes: string[] = [];
  for (const { scheme, usage } of defs) {
    if (scheme === '-') words.push('-');
    if (scheme === '-' || scheme === '') continue; // '' is a plain path: the files
    const at = usage.indexOf(`${scheme}:`);
    const word = usage.startsWith('//', at + scheme.length + 1) ? `${scheme}://` : `${scheme}:`;
    words.push(word);
    if (/^(?:PATH|GLOB)/.test(usage.slice(at + word.length))) pathPrefixes.push(word);
  }
  return { words, paths: 'files', pathPrefixes };
}

/** A URI checked against its scheme: what create() is given. */
export interface CheckedUri<D> {
  def: D;
  /** The text after the scheme, less sluice's own parameters. */
  path: string;
  values: ParamValues;
  target: unknown;
}

/**
 * The definition of `uri` in `registry` (a plain path goes to `fallback`), its parameters and its
 * target, checked; throws a UsageError that names every problem of the URI at once.
 */
export function checkUri<D extends UriDef>(uri: string, registry: readonly D[], fallback: D, kind: string): CheckedUri<D> {
  const { def, rest } = resolveUri(uri, registry, fallback, kind);
  const problems: string[] = [];
  const problem = (message: string) => void problems.push(message);
  const { path, values } = uriParams(rest, def, problem);
  const target = def.target ? def.target(path, values, problem) : path;
  if (problems.length) throw new UsageError(`${redactedUri(uri)}: ${problems.join('; ')}`);
  return { def, path, values, target };
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/;

/** The definition for `uri` and the text after its scheme; a plain path goes to `fallback`. */
function resolveUri<D extends UriDef>(uri: string, registry: readonly D[], fallback: D, kind: string): { def: D; rest: string } {
  if (uri === '-') return { def: registry.find((d) => d.scheme === '-')!, rest: '' };
  const m = SCHEME.exec(uri);
  const def = m && registry.find((d) => d.scheme === m[1]);
  if (def) return { def, rest: uri.slice(m[0].length).replace(/^\/\/(?=[^/]|$)/, '') };
  if (m && uri.startsWith(`${m[1]}://`)) {
    throw new UsageError(`unknown ${kind} '${redactedUri(uri)}': no ${kind} for ${m[1]}:// (known: ${registry.map((d) => d.usage).join(', ')})`);
  }
  return { def: fallback, rest: uri };
}

const QUERY = /\?([a-z][a-z-]*=[^&]*(?:&[a-z][a-z-]*=[^&]*)*)$/;

/**
 * `rest` without its parameters, and their values, checked against `def`'s table with defaults
 * filled in. Only a trailing `?key=value&...` counts, so a glob's own `?` stays part of the path.
 */
function uriParams(rest: string, def: UriDef, problem: Problem): { path: string; values: ParamValues } {
  if (!def.params) return { path: rest, values: {} };
  if (def.forwardsQuery) {
    // an HTTP target's own query: every key that is not ours goes on to the server
    const q = rest.indexOf('?');
    if (q < 0) return { path: rest, values: checkParams(new URLSearchParams(), def.params, problem).values };
    const { values, others } = checkParams(new URLSearchParams(rest.slice(q + 1)), def.params, problem, true);
    return { path: `${rest.slice(0, q)}${others.size ? `?${others}` : ''}`, values };
  }
  const m = QUERY.exec(rest);
  const { values } = checkParams(new URLSearchParams(m?.[1] ?? ''), def.params, problem);
  return { path: m ? rest.slice(0, m.index) : rest, values };
}

/**
 * The values of `query` for the parameters of `table`, checked, with defaults; a key not in the table
 * is refused with a suggestion, or with `forward` kept in `others` to pass on (an HTTP target's own
 * query), unless it is so near one of the table's that it must be a typo.
 */
function checkParams(query: URLSearchParams, table: readonly UriParam[], problem: Problem, forward = false): { values: ParamValues; others: URLSearchParams } {
  const names = table.map((p) => p.name);
  const others = new URLSearchParams();
  for (const [key, value] of query) {
    if (names.includes(key)) continue;
    const hint = didYouMean(key, names);
    if (forward && !hint) others.append(key, value);
    else problem(`unknown option '${key}'${hint || (names.length ? ` (known: ${names.join(', ')})` : '')}`);
  }
  const values: ParamValues = {};
  for (const param of table) {
    const given = query.getAll(param.name);
    if (given.length > 1 && !param.repeat) problem(`${param.name} is given ${given.length} times; give it once`);
    const checked = given.map((text) => {
      const c = checkValue(param, text);
      if ('error' in c) problem(`${param.name}: ${c.error}`);
      return 'value' in c ? c.value : undefined;
    });
    values[param.name] = param.repeat ? checked : given.length ? checked[0] : defaultValue(param);
  }
  return { values, others };
}

/** Query keys whose values are secrets: a password, a token, an API key, a signature, credentials. */
const SECRET_KEY = /(^|[-_.])(pass(word)?|passwd|pwd|secret|token|key|apikey|auth|authorization|sig|signature|credentials?)$/i;

/**
 * A URI as anything sluice writes may show it (messages, -v, explain, checkpoints, dead letters): the
 * password of USER:PASSWORD@ (or a lone USER@, often a token), every `?header=` value and the value of
 * every secret-looking query key replaced by `***`. The one place that decides what is secret in a URI.
 */
export function redactedUri(uri: string): string {
  let out = uri;
  const authority = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(uri);
  const at = authority?.[2]!.lastIndexOf('@') ?? -1;
  if (authority && at >= 0) {
    const userinfo = authority[2]!.slice(0, at);
    const colon = userinfo.indexOf(':');
    out = `${authority[1]}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}${uri.slice(authority[1]!.length + at)}`;
  }
  return out.replace(/([?&])([^=&#?]+)=([^&#]*)/g, (all, sep: string, key: string, value: string) => {
    // a header's name stays, to say which one it is; without NAME: it is all value
    if (key === 'header') return `${sep}header=${/^[^:]*:/.exec(decoded(value))?.[0] ?? ''}***`;
    return SECRET_KEY.test(decoded(key)) ? `${sep}${key}=***` : all;
  });
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** `${VAR}` in a parameter's value taken from the environment, so that a secret stays out of the command line (and `ps`). */
export function fromEnvironment(text: string, what: string, problem: Problem, env = process.env): string {
  return text.replace(/\$\{(\w+)\}/g, (_, variable: string) => {
    const v = env[variable];
    if (v === undefined) problem(`${what}: environment variable ${variable} is not set`);
    return v ?? '';
  });
}

/** A parameter as help and the man page write it: `?poll=DUR (250ms): how often ...`. */
export function paramText(p: UriParam): string {
  const value = metavarOf(p.value) || 'true|false';
  return `?${p.name}=${value}${p.default === undefined ? '' : ` (${p.default})`}: ${p.summary}`;
}

export interface HostPort {
  host: string;
  port: number;
  path: string;
}

// a USER[:PASSWORD]@ before the host is passed over, as a URL parser would
const HOST_PORT = /^(?:[^/?#]*@)?(\[[0-9a-fA-F:.]+\]|[^[\]:/?#@]+):(\d+)(\/[^?#]*)?$/;

/**
 * The target rule of a network URI: [USER@]HOST:PORT[/PATH] after `scheme://`, IPv6 hosts in
 * brackets; a listener may take port 0 (any free port), a connection needs a real one.
 */
export function hostPort(kind: 'connect' | 'listen'): (path: string, params: ParamValues, problem: Problem) => HostPort {
  return (rest, _params, problem) => {
    const m = HOST_PORT.exec(rest);
    if (!m) {
      problem('expected HOST:PORT, e.g. 127.0.0.1:9999');
      return { host: '', port: 0, path: '' };
    }
    const port = Number(m[2]);
    const min = kind === 'listen' ? 0 : 1;
    if (port < min || port > 65535) problem(`port ${m[2]} is out of range: use ${min} to 65535${kind === 'listen' ? ' (0: any free port)' : ''}`);
    return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port, path: m[3] ?? '' };
  };
}

/** The target rule of a scheme whose target is a path that must be given: `example` shows one. */
export function requiredPath(example: string): (path: string, params: ParamValues, problem: Problem) => string {
  return (path, _params, problem) => {
    if (!path) problem(`needs ${example}`);
    return path;
  };
}

/** `[HOST:]PORT` to listen on (--ui): the loopback interface unless a host is given; port 0 picks a free one. */
export function listenAddress(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):)?(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`expected [HOST:]PORT, e.g. 4040 or 0.0.0.0:4040, not '${text}'`);
  return { host: m[1]?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1', port: Number(m[2]) };
}
