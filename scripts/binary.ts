// npm run build:binary: dist/sluice, one executable for this platform made with Node's own
// single-executable-application support from the pinned Node (node_modules/node): the CLI and its
// client libraries bundled into one CommonJS script, with the --repartition worker, the --ui page
// and zeromq's native addon as its assets, and V8's code cache of the script. Run after `npm run build`.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const NODE = root('node_modules/node/bin/node');
const WORK = root('dist/binary');
const OUTPUT = root('dist/sluice');

/** zeromq loads its addon from files beside it; the binary's copy comes from its assets (src/io/zmq-addon.ts). */
const zmqAddonFromAssets: Plugin = {
  name: 'zmq-addon-from-assets',
  setup(b) {
    b.onResolve({ filter: /^\.\/load-addon$/ }, (args) =>
      /[\\/]zeromq[\\/]lib$/.test(args.resolveDir) ? { path: root('src/io/zmq-addon.ts') } : undefined,
    );
  },
};

/** The addon file zeromq's loader picks on this machine for the pinned Node (the same Node the binary is). */
function zmqAddonFile(): string {
  const out = execFileSync(NODE, ['-e', `require('zeromq'); console.log(Object.keys(require.cache).find((f) => f.endsWith('.node')))`], {
    cwd: root(''),
    encoding: 'utf8',
  });
  return out.trim();
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // the import.meta URLs name dist/ on disk; the binary reads its assets instead (src/core/embedded.ts)
  logOverride: { 'empty-import-meta': 'silent' },
} as const;
await build({ ...common, entryPoints: [root('src/cli/main.ts')], outfile: `${WORK}/sluice.cjs`, plugins: [zmqAddonFromAssets] });
await build({ ...common, entryPoints: [root('src/operators/repartition-worker.ts')], outfile: `${WORK}/repartition-worker.js` });

const config = {
  main: `${WORK}/sluice.cjs`,
  output: `${WORK}/sea-prep.blob`,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  // as bin/sluice runs the CLI: a small young generation keeps a long stateless stream in little memory
  execArgv: ['--max-semi-space-size=4'],
  assets: {
    'repartition-worker.js': `${WORK}/repartition-worker.js`,
    'ui/index.html': root('dist/ui/index.html'),
    'ui/app.js': root('dist/ui/app.js'),
    'ui/app.css': root('dist/ui/app.css'),
    'zeromq.node': zmqAddonFile(),
  },
};
writeFileSync(`${WORK}/sea-config.json`, JSON.stringify(config, null, 2));
execFileSync(NODE, ['--experimental-sea-config', `${WORK}/sea-config.json`], { stdio: 'inherit' });
rmSync(OUTPUT, { force: true });
copyFileSync(NODE, OUTPUT);
const postject = root('node_modules/postject/dist/cli.js');
execFileSync(NODE, [postject, OUTPUT, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'ignore' });
