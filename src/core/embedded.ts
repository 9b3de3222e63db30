// The files the program carries beside its code (the --ui page, the --repartition worker, zeromq's
// addon): read from dist/ beside the bundle, or, in the single binary that `npm run build:binary`
// makes, from its assets.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const sea = process.getBuiltinModule('node:sea');
/** True in the single binary (dist/sluice), whose assets are named as the files are in dist/. */
const inBinary = sea.isSea();

/** dist/ as the bundle sees it: beside it, or, from the source tree (unit tests), what the last build made. */
const dist = () => new URL(import.meta.url.endsWith('.ts') ? '../../dist/' : './', import.meta.url);

/** A file of dist/ by its path there, e.g. `ui/app.js`. */
export function distFile(path: string): Buffer {
  return inBinary ? Buffer.from(sea.getAsset(path)) : readFileSync(new URL(path, dist()));
}

/** A worker thread running dist/NAME.js (src/operators/NAME.ts from the source tree). */
export function distWorker(name: string, options: WorkerOptions): Worker {
  if (inBinary) return new Worker(sea.getAsset(`${name}.js`, 'utf8'), { ...options, eval: true });
  const fromSource = import.meta.url.endsWith('.ts');
  return new Worker(new URL(fromSource ? `../operators/${name}.ts` : `./${name}.js`, import.meta.url), options);
}

/** The exports of a native addon of dist/; the binary's copy is loaded from a private temporary file. */
export function distAddon(path: string): unknown {
  const addon = { exports: {} };
  if (!inBinary) {
    process.dlopen(addon, fileURLToPath(new URL(path, dist())));
    return addon.exports;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sluice-'));
  try {
    const file = join(dir, path);
    writeFileSync(file, new Uint8Array(sea.getRawAsset(path)), { mode: 0o500 });
    process.dlopen(addon, file);
  } finally {
    rmSync(dir, { recursive: true, force: true }); // a loaded library needs its file no more (Linux)
  }
  return addon.exports;
}
