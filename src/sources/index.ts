// The registry of sources, by URI scheme; a URI with no known scheme is a file path.

import { resolveUri } from '../engine/uri.ts';
import { file } from './file.ts';
import type { Source, SourceDef } from './source.ts';
import { stdin } from './stdin.ts';

export const SOURCES: readonly SourceDef[] = [stdin, file];

export function createSource(uri: string): Source {
  const { def, rest } = resolveUri(uri, SOURCES, file, 'source');
  return def.create(rest, uri);
}
