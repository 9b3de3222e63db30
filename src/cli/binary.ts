// The single binary's main script (scripts/binary.ts): answers --version before the program's modules
// are evaluated, as bin/launch.js does for bin/sluice, otherwise runs the CLI (src/cli/main.ts).

import pkg from '../../package.json' with { type: 'json' };

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`sluice ${pkg.version}\n`);
else void import('./main.ts');
