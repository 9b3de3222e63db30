// Answers --version without loading the program, otherwise runs the bundled CLI (dist/sluice.js,
// built by `npm run build`, which scripts/setup.sh and `npm pack` run). Built-in modules are taken
// with process.getBuiltinModule: an ESM import of one costs start-up time, which this file keeps short.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(process.getBuiltinModule('node:fs').readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sluice ${version}\n`);
} else {
  // V8's code cache on disk (Node >= 22.1): the bundle is compiled once, not on every start
  process.getBuiltinModule('node:module').enableCompileCache?.();
  await import('../dist/sluice.js');
}
