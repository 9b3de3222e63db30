// Answers --version without loading the program, otherwise runs the bundled CLI
// (dist/sluice.js, built by `npm run build`, which `npm install` runs).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sluice ${version}\n`);
} else {
  await import('../dist/sluice.js');
}
