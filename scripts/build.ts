// npm run build: dist/, the program as bin/sluice and the single binary (scripts/binary.ts) both run
// it. main.js (src/cli/launch.ts) answers --version with nothing loaded, else runs sluice.js, the
// program as one CommonJS function, compiled from sluice.cache or run.cache: V8's code cache of a short run, so a
// start compiles nothing (Node's own caches keep only a script's top level). Each client library the
// program imports on demand is lib/NAME.js, run when a run first uses it. Beside them: the
// --repartition worker, the --ui page and zeromq's native addon. Nothing is installed beside dist/.

import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { DIST, EXEC_ARGV, NODE, program, root, UI } from './bundle.ts';

/** The addon file zeromq's own loader picks on this machine for the pinned Node. */
function zmqAddonFile(): string {
  const script = `require('zeromq'); console.log(Object.keys(require.cache).find((f) => f.endsWith('.node')))`;
  return execFileSync(NODE, ['-e', script], { cwd: root(''), encoding: 'utf8' }).trim();
}

/** The client libraries the program imports only when a run uses them (import() of a package): left out of the program, each a bundle of its own. */
const libraries = new Set<string>();
const lazyLibraries: Plugin = {
  name: 'lazy-libraries',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== 'dynamic-import' || isBuiltin(args.path)) return undefined;
      libraries.add(args.path);
      return { path: args.path, external: true };
    });
  },
};
const options: BuildOptions = {
  ...program,
  format: 'cjs', // what vm.Script runs, and a single executable's main script
  supported: { 'dynamic-import': false }, // import() as require(): vm.Script has no module loader (src/cli/launch.ts's require)
  target: 'node22',
  outdir: DIST,
  minifyWhitespace: true,
  minifySyntax: true,
  // what the ES modules in the bundle expect (createRequire(import.meta.url) of the Kafka client)
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
};
/** A bundle of dist/ as the function src/cli/launch.ts calls with a module scope. */
const asFunction = (name: string) =>
  writeFileSync(`${DIST}/${name}`, `(function (exports, require, module, __filename, __dirname) {${readFileSync(`${DIST}/${name}`, 'latin1')}\n})`);

rmSync(DIST, { recursive: true, force: true });
await build({ ...options, plugins: [...program.plugins!, lazyLibraries], entryPoints: { ...(program.entryPoints as Record<string, string>), main: root('src/cli/launch.ts') } });
await build({ ...options, entryPoints: Object.fromEntries([...libraries].map((name) => [`lib/${name}`, name])) });
for (const name of ['sluice.js', ...[...libraries].map((name) => `lib/${name}.js`)]) asFunction(name);
writeFileSync(`${DIST}/package.json`, '{ "type": "commonjs" }\n'); // the project's own .js files are ES modules
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
// the code caches: main.js run by the pinned Node with the flags bin/sluice and the binary give it, a flag chain's run as short
// as a run can be (sluice.cache) and a small pipeline file's (run.cache)
for (const args of [['--count'], ['run', root('scripts/code-cache.yaml')]]) {
  execFileSync(NODE, [...EXEC_ARGV, `${DIST}/main.js`, ...args], { input: 'x\n', stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, SLUICE_WRITE_CODE_CACHE: '1' } });
}
