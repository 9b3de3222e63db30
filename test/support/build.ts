// vitest global setup: end-to-end tests run the bundled CLI, so build it once first (and the single
// binary when they run that: SLUICE_BIN=dist/sluice).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, SLUICE } from './cli.ts';

export default function setup(): void {
  const binary = SLUICE === join(ROOT, 'dist/sluice');
  execFileSync('npm', ['run', '--silent', binary ? 'build:binary' : 'build'], { cwd: ROOT, stdio: 'inherit' });
}
