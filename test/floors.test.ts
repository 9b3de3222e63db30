// The source tree's floors only point down: a file imports from its own floor or a lower one, never
// from a higher one, so each floor can be read, tested and replaced on top of what is below it.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/**
 * Lowest first: the stream protocol and values; I/O; operators; the pipeline model and its plan; the
 * runtime; the web UI and terminal views (they watch a running engine and draw its plan, and only the
 * command line starts them); the command line.
 */
const FLOORS = ['core', 'io', 'operators', 'pipeline', 'runtime', 'ui', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const floorOf = (file: string) => FLOORS.indexOf(relative(SRC, file).split('/')[0]!);

describe('floors', () => {
  const files = sources(SRC);

  it('every file of src/ is on a floor', () => {
    expect(files.filter((f) => floorOf(f) < 0).map((f) => relative(SRC, f))).toEqual([]);
  });

  it('no file imports from a higher floor', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*['"](\.[^'"]+)['"]/gm)) {
        const target = resolve(dirname(file), spec!);
        if (!target.startsWith(`${SRC}/`)) continue; // package.json
        if (floorOf(target) > floorOf(file)) upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
