// vitest global setup: end-to-end tests run the bundled CLI, so build it once first.

import { execFileSync } from 'node:child_process';
import { ROOT } from './cli.ts';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
