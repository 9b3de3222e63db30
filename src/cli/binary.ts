// The single binary's main script (scripts/binary.ts): answers --version with none of the program
// loaded, as bin/launch.js does for bin/sluice; otherwise runs the program (src/cli/main.ts), one
// CommonJS function in the asset sluice.js, compiled from the V8 code cache in the asset sluice.cache.
// Run by the build's Node instead (not a single executable), it runs the program from the sluice.js
// beside it and writes sluice.cache there as it exits: the cache then holds every function that run
// compiled, not only the script's top level (which is all Node's own `useCodeCache` keeps).

import pkg from '../../package.json' with { type: 'json' };

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`sluice ${pkg.version}\n`);
else {
  const sea = process.getBuiltinModule('node:sea');
  const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs');
  const { Script } = process.getBuiltinModule('node:vm');
  const inBinary = sea.isSea();
  const file = (name: string) => `${__dirname}/${name}`;
  // esbuild writes ASCII only: read as latin1, the string is made without decoding UTF-8
  const source = inBinary ? Buffer.from(sea.getRawAsset('sluice.js')).toString('latin1') : readFileSync(file('sluice.js'), 'latin1');
  const script = new Script(source, { filename: 'sluice.js', cachedData: inBinary ? Buffer.from(sea.getRawAsset('sluice.cache')) : undefined });
  if (!inBinary) process.on('exit', () => writeFileSync(file('sluice.cache'), script.createCachedData()));
  script.runInThisContext()(exports, require, module, __filename, __dirname);
}
