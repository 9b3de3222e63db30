// The main script of dist/ (bin/sluice runs it) and of the single binary (scripts/build.ts,
// scripts/binary.ts): answers --version with none of the program loaded; otherwise runs the program
// (src/cli/main.ts), one CommonJS function in sluice.js, compiled from a V8 code cache: run.cache for
// `sluice run`, sluice.cache for the rest; and the client libraries it imports, each its own
// lib/NAME.js, only when the run uses them; the binary has these files as its assets. With
// SLUICE_WRITE_CODE_CACHE set (by the build) it writes its cache as it exits: the cache then holds
// every function that run compiled, not only the script's top level (which is all Node's own code
// caches keep). Two caches, as one of a pipeline file's run (the YAML parser, the expressions) costs a
// flag chain's run time to read for code it does not use.

import pkg from '../../package.json' with { type: 'json' };

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`sluice ${pkg.version}\n`);
else {
  const sea = process.getBuiltinModule('node:sea');
  const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs');
  const { isBuiltin } = process.getBuiltinModule('node:module');
  const { Script } = process.getBuiltinModule('node:vm');
  const inBinary = sea.isSea();
  const file = (name: string) => `${__dirname}/${name}`;
  // esbuild writes ASCII only: read as latin1, the string is made without decoding UTF-8
  const source = (name: string) => (inBinary ? Buffer.from(sea.getRawAsset(name)).toString('latin1') : readFileSync(file(name), 'latin1'));
  /** Runs a compiled CommonJS function of the build with a module scope of its own: its exports. */
  const exportsOf = (script: InstanceType<typeof Script>): unknown => {
    const scope = { exports: {} };
    script.runInThisContext()(scope.exports, programRequire, scope, __filename, __dirname);
    return scope.exports;
  };
  const libraries = new Map<string, unknown>();
  /** What the program and the libraries require: a built-in module, or a client library's bundle, run on first use. */
  const programRequire = (id: string): unknown => {
    if (isBuiltin(id)) return require(id);
    if (!libraries.has(id)) libraries.set(id, exportsOf(new Script(source(`lib/${id}.js`), { filename: `lib/${id}.js` })));
    return libraries.get(id);
  };
  const writesCache = !inBinary && process.env.SLUICE_WRITE_CODE_CACHE !== undefined;
  const cacheName = args[0] === 'run' ? 'run.cache' : 'sluice.cache';
  const cache = inBinary ? Buffer.from(sea.getRawAsset(cacheName)) : writesCache ? undefined : readFileSync(file(cacheName));
  // a cache another Node made is refused by V8, and the program compiled as it runs
  const program = new Script(source('sluice.js'), { filename: 'sluice.js', cachedData: cache });
  if (writesCache) process.on('exit', () => writeFileSync(file(cacheName), program.createCachedData()));
  exportsOf(program);
}
