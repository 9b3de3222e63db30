// Finds the source or sink definition for a URI: `-`, `scheme:rest`, `scheme://rest`, or a path.

import { UsageError } from '../core/errors.ts';

interface Registered {
  scheme: string;
  usage: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/;

/** The definition for `uri` and the text after its scheme; a plain path goes to `fallback`. */
export function resolveUri<D extends Registered>(uri: string, registry: readonly D[], fallback: D, kind: string): { def: D; rest: string } {
  if (uri === '-') return { def: registry.find((d) => d.scheme === '-')!, rest: '' };
  const m = SCHEME.exec(uri);
  const def = m && registry.find((d) => d.scheme === m[1]);
  if (def) return { def, rest: uri.slice(m[0].length).replace(/^\/\/(?=[^/])/, '') };
  if (m && uri.startsWith(`${m[1]}://`)) {
    throw new UsageError(`unknown ${kind} '${uri}': no ${kind} for ${m[1]}:// (known: ${registry.map((d) => d.usage).join(', ')})`);
  }
  return { def: fallback, rest: uri };
}
