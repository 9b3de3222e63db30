// zeromq's native addon inside the single binary (npm run build:binary puts it there in place of
// zeromq's own loader): copied from the binary's assets to a private temporary file, loaded, removed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'sluice-'));
const file = join(dir, 'zeromq.node');
const addon = { exports: {} };
try {
  writeFileSync(file, new Uint8Array(process.getBuiltinModule('node:sea').getRawAsset('zeromq.node')), { mode: 0o500 });
  process.dlopen(addon, file);
} finally {
  rmSync(dir, { recursive: true, force: true }); // a loaded library needs no file on Linux
}

export default addon.exports;
