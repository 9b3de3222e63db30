// Whether a program the tests run (a shell, groff) is installed: a test without it skips, except under
// CI=true, where a missing program fails the run (scripts/setup.sh installs them).

import { spawnSync } from 'node:child_process';

export function installed(program: string): boolean {
  const found = !spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status;
  if (!found && process.env.CI) throw new Error(`${program} is not installed (scripts/setup.sh installs it)`);
  if (!found) console.warn(`${program} is not installed: skipping its tests`);
  return found;
}
