// `npm pack` and a global install of what it makes, in a scratch prefix and offline: the package
// holds only the command, its bundles and its manual page, needs nothing from the registry (its
// client libraries are bundled into dist/), and the installed `sluice` runs.

import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { ROOT, tempDir } from './support/cli.ts';

interface Packed {
  filename: string;
  files: { path: string }[];
}

describe('npm pack', () => {
  it('makes a package of bin/, dist/ and man/ that installs offline and runs', () => {
    const scratch = tempDir();
    // dist/ is the one the test run built: no `prepare` (a rebuild under the other test files)
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as Packed[];
    const files = packed!.files.map((f) => f.path);
    expect(files.filter((f) => !/^(bin|dist|man)\/|^(package\.json|README\.md)$/.test(f))).toEqual([]);
    for (const needed of ['bin/sluice', 'dist/main.js', 'dist/sluice.js', 'dist/sluice.cache', 'dist/run.cache', 'dist/package.json', 'dist/repartition-worker.js', 'dist/ui/index.html', 'dist/zeromq.node', 'man/sluice.1']) {
      expect(files).toContain(needed);
    }
    expect(files).not.toContain('dist/sluice'); // the single binary is a download of its own

    const prefix = join(scratch, 'prefix');
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(scratch, packed!.filename)], { stdio: 'pipe' });
    // a shell whose PATH has Node 24 (the pinned one) and the system, not this tree's node_modules/.bin
    const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: scratch };
    const version = spawnSync(join(prefix, 'bin/sluice'), ['--version'], { env, encoding: 'utf8' });
    expect(version).toMatchObject({ status: 0, stdout: `sluice ${pkg.version}\n`, stderr: '' });
    const count = spawnSync(join(prefix, 'bin/sluice'), ['-b', '1h', '--count'], { env, input: 'a\nb\n', encoding: 'utf8' });
    expect(count).toMatchObject({ status: 0, stdout: '2\n', stderr: '' });
    expect(spawnSync('man', ['-w', '-M', join(prefix, 'share/man'), 'sluice'], { encoding: 'utf8' }).stdout).toContain('sluice.1');
  }, 120_000);
});
