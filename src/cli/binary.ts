// The single binary's main script (scripts/binary.ts): answers --version with none of the program
// loaded, as bin/launch.js does for bin/sluice; otherwise runs the program (src/cli/main.ts), one
// CommonJS function in the asset sluice.js, compiled from the V8 code cache in the asset sluice.cache,
// and the client libraries it imports, each its own asset lib/NAME.js, only when the run uses them.
// Run by the build's Node instead (not a single executable), it runs the program from the files
// beside it and writes sluice.cache there as it exits: the cache then holds every function that run
// compiled, not only the script's top level (which is all Node's own `useCodeCache` keeps).

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
  const program = new Script(source('sluice.js'), { filename: 'sluice.js', cachedData: inBinary ? Buffer.from(sea.getRawAsset('sluice.cache')) : undefined });
  if (!inBinary) process.on('exit', () => writeFileSync(file('sluice.cache'), program.createCachedData()));
  exportsOf(program);
}
