// npm run build: dist/, the CLI bundled with its client libraries (nothing is installed beside it
// to run), the --repartition worker, the --ui page and zeromq's native addon.

import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { DIST, NODE, program, root, UI } from './bundle.ts';

/** The addon file zeromq's own loader picks on this machine for the pinned Node. */
function zmqAddonFile(): string {
  const script = `require('zeromq'); console.log(Object.keys(require.cache).find((f) => f.endsWith('.node')))`;
  return execFileSync(NODE, ['-e', script], { cwd: root(''), encoding: 'utf8' }).trim();
}

rmSync(DIST, { recursive: true, force: true });
await build({
  ...program,
  format: 'esm',
  target: 'node22',
  outdir: DIST,
  splitting: true, // what a run does not use (a client library, the web UI) is not loaded
  // what the CommonJS libraries in the bundle expect of a module scope
  banner: {
    js: "import{createRequire as __cr}from'node:module';import{fileURLToPath as __fu}from'node:url';const require=__cr(import.meta.url),__filename=__fu(import.meta.url),__dirname=__fu(new URL('.',import.meta.url));",
  },
});
await build({
  entryPoints: UI.map((file) => root(`src/ui/page/${file.replace(/\.js$/, '.ts')}`)),
  bundle: true,
  minify: true,
  target: 'es2022',
  loader: { '.html': 'copy' },
  outdir: `${DIST}/ui`,
  logLevel: 'warning',
});
copyFileSync(zmqAddonFile(), `${DIST}/zeromq.node`);
