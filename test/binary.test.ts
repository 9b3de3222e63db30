// The single binary (scripts/binary.ts, npm run build:binary) built into a scratch directory and run
// with an empty environment, no Node on PATH: --version, a pipe, --repartition's worker threads, the
// --ui page and a client library from its assets. `SLUICE_BIN=dist/sluice` runs the other end-to-end
// files against it (vitest.config.ts).

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { ROOT, tempDir, type Result } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

const BIN = join(tempDir(), 'sluice');

/** The binary run from an empty environment (no PATH, no HOME, no NODE_OPTIONS); stdin stays open without `input`. */
function bare(args: string[], input?: string) {
  const child = spawn(BIN, args, { env: {}, cwd: tempDir(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/binary.ts'), BIN], { cwd: ROOT, stdio: 'inherit' });
}, 300_000);

describe('the single binary', () => {
  it('says its version', async () => {
    const r = await bare(['--version'], '').done;
    expect(r).toMatchObject({ code: 0, stdout: `sluice ${pkg.version}\n`, stderr: '' });
  });

  it('runs a pipe', async () => {
    const r = await bare(['-b', '1h', '--count'], 'a\nb\nc\n').done;
    expect(r).toMatchObject({ code: 0, stdout: '3\n', stderr: '' });
  });

  it('runs --repartition on worker threads from its own code', async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `${i}\n`).join('');
    const r = await bare(['-b', '1h', '--repartition', '2', '--map', 'Number(x) * 2'], input).done;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(Array.from({ length: 20_000 }, (_, i) => `${i * 2}\n`).join(''));
  });

  it('runs a client library from its own asset when a URI needs one', async () => {
    const run = bare(['-b', '100ms', '--count', '-o', 'postgres://u@127.0.0.1:1/db?table=t']);
    run.child.stdin.write('a\n');
    // the PostgreSQL client's own connect error: it was loaded and ran
    await eventually(() => /cannot reach PostgreSQL \(connect ECONNREFUSED/.test(run.stderr()), 'the PostgreSQL client connecting');
    run.child.kill('SIGTERM');
    await run.done;
  });

  it('serves the --ui page from its assets', async () => {
    const run = bare(['--count', '--ui', '0']);
    await eventually(() => /web UI at (http:\S+)/.test(run.stderr()), 'the web UI address');
    const url = /web UI at (http:\S+)/.exec(run.stderr())![1]!;
    for (const [path, file] of [['/', 'index.html'], ['/app.js', 'app.js'], ['/app.css', 'app.css']]) {
      const res = await fetch(new URL(path!, url));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(ROOT, 'dist/ui', file!)))).toBe(true);
    }
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });
});
