// Answers --version without loading the program, otherwise runs the bundled CLI
// (dist/sluice.js, built by `npm run build`, which `npm install` runs).
import { readFileSync } from 'node:fs';
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sluice ${version}\n`);
} else {
  // V8's code cache on disk (Node >= 22.1): the bundle is compiled once, not on every start
  module.enableCompileCache?.();
  await import('../dist/sluice.js');
}
