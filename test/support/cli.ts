// End-to-end helper: run the real bin/sluice as a user would, with stdin, files and signals.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SLUICE = join(ROOT, 'bin/sluice');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start sluice; the caller writes to its stdin, may look at its output so far, and waits with `done`. */
export function start(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { child: ChildProcess; done: Promise<Result>; stdout: () => string; stderr: () => string } {
  const child = spawn(SLUICE, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Run sluice to completion with `input` on stdin. */
export function sluice(args: string[], input = '', options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Result> {
  const { child, done } = start(args, options);
  child.stdin!.on('error', () => {}); // sluice may exit before reading everything
  child.stdin!.end(input);
  return done;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-test-'));
}
