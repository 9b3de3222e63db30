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
/** The Node flags the program runs with (bin/sluice gives the same): a small young generation keeps a long stateless stream in little memory, one of 2 MB from the start a short run free of collections. */
export const EXEC_ARGV = ['--max-semi-space-size=4', '--min-semi-space-size=2'];
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
 * A module as an object whose exports (`names`) run `load` on first access. Its exports are on the
 * object's prototype: the bundle's ES-module wrapper of it, made for each file that imports it, then
 * has no property of its own to copy (a hundred for node:fs).
 */
const loadedOnUse = (load: string, names: string[]) => `let loaded;
const on = () => (loaded ??= ${load});
const exports = {};
for (const k of ${JSON.stringify(names)}) Object.defineProperty(exports, k, { get: () => on()[k], set: (v) => { on()[k] = v; } });
module.exports = Object.create(exports);`;

/**
 * Built-in modules are loaded when first used: an import of node:crypto, node:zlib or node:dgram, or
 * an ES import of node:fs (whose facade reads every lazy export), costs start-up time a short run
 * spends for nothing. The names of their exports are taken from the Node that builds.
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
      return { contents: loadedOnUse(`process.getBuiltinModule(${id})`, Object.keys(exports)) };
    });
  },
};

/** Libraries of ours a flag chain mostly has no use for (it parses no YAML, draws no graph, may have no expression): loaded when first used too. */
const LIBRARIES_ON_USE = /^(yaml|acorn|graphology|graphology-components)$/;

const librariesOnUse: Plugin = {
  name: 'libraries-on-use',
  setup(b) {
    // the program's imports of them; the require() of the stand-in, and the libraries' own imports, resolve as usual
    b.onResolve({ filter: LIBRARIES_ON_USE }, (args) =>
      args.namespace === 'file' && !args.importer.includes('/node_modules/') ? { path: args.path, namespace: 'on-use', pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'on-use' }, async ({ path, pluginData }) => ({
      contents: loadedOnUse(`require(${JSON.stringify(path)})`, Object.keys(await import(path))),
      resolveDir: pluginData as string,
    }));
  },
};

/** The CLI and the --repartition worker, each bundled with everything it imports, client libraries too. */
export const program: BuildOptions = {
  bundle: true,
  platform: 'node',
  logLevel: 'warning',
  plugins: [zmqAddon, builtinsOnUse, librariesOnUse],
  // the Kafka client's compression and CRC: the variant with its WebAssembly inline, made for bundles
  alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
  entryPoints: { sluice: root('src/cli/main.ts'), 'repartition-worker': root('src/operators/repartition-worker.ts') },
};
