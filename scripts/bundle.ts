// What scripts/build.ts (dist/) and scripts/binary.ts (the single binary, made of dist/) share:
// where things are, the program's entry points and esbuild's options, and the files libraries read
// beside their own (zeromq's addon, the Kafka client's WebAssembly), which a bundle must carry some other way.

import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

/** A path of the project tree. */
export const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
/** The pinned Node (the `node` package): the one the tests, the build and the binary run. */
export const NODE = root('node_modules/node/bin/node');
export const DIST = root('dist');
/** The Node flags the program runs with (bin/sluice gives the same): a small young generation keeps a long stateless stream in little memory. */
export const EXEC_ARGV = ['--max-semi-space-size=4'];
/** The --ui page's files in dist/ui (from src/ui/page). */
export const UI = ['index.html', 'app.js', 'app.css'];

/** zeromq loads its addon from files beside its own; ours is dist/zeromq.node or the binary's asset (src/io/zmq-addon.ts). */
const zmqAddon: Plugin = {
  name: 'zmq-addon',
  setup(b) {
    b.onResolve({ filter: /^\.\/load-addon$/ }, (args) =>
      /[\\/]zeromq[\\/]lib$/.test(args.resolveDir) ? { path: root('src/io/zmq-addon.ts') } : undefined,
    );
  },
};

/**
 * Built-in modules are loaded when first used: an import of node:crypto, node:zlib or node:dgram, or
 * an ES import of node:fs (whose facade reads every lazy export), costs start-up time a short run
 * spends for nothing. Each becomes an object whose exports (their names taken from the Node that
 * builds) load the module on first access.
 */
const builtinsOnUse: Plugin = {
  name: 'builtins-on-use',
  setup(b) {
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => (isBuiltin(args.path) ? { path: args.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => {
      const id = JSON.stringify(path);
      const exports: object = process.getBuiltinModule(path)!;
      // a module that is a class (node:events, node:stream) is used as one: it is taken as it is
      if (typeof exports === 'function') return { contents: `module.exports = process.getBuiltinModule(${id});` };
      // the exports are on the object's prototype: the bundle's ES-module wrapper of it, made for each
      // file that imports it, then has no property of its own to copy (a hundred for node:fs)
      const contents = `let loaded;
const on = () => (loaded ??= process.getBuiltinModule(${id}));
const exports = {};
for (const k of ${JSON.stringify(Object.keys(exports))}) Object.defineProperty(exports, k, { get: () => on()[k], set: (v) => { on()[k] = v; } });
module.exports = Object.create(exports);`;
      return { contents };
    });
  },
};

/** The CLI and the --repartition worker, each bundled with everything it imports, client libraries too. */
export const program: BuildOptions = {
  bundle: true,
  platform: 'node',
  logLevel: 'warning',
  plugins: [zmqAddon, builtinsOnUse],
  // the Kafka client's compression and CRC: the variant with its WebAssembly inline, made for bundles
  alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
  entryPoints: { sluice: root('src/cli/main.ts'), 'repartition-worker': root('src/operators/repartition-worker.ts') },
};
