// End-to-end helper: run the real bin/sluice as a user would, with stdin, files and signals.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The command under test: bin/sluice, or another build of it such as SLUICE_BIN=dist/sluice (the single binary). */
export const SLUICE = resolve(ROOT, process.env.SLUICE_BIN ?? 'bin/sluice');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A --filter expression that lets every record through and appends it to `file`: proof that sluice has read it. */
export const recordsTo = (file: string) => `process.getBuiltinModule("fs").appendFileSync(${JSON.stringify(file)}, x + "\\n") ?? true`;

/** The status a shell gives a finished run: its exit code, or 128 + the number of the signal that ended it. */
export function shellStatus(r: Pick<Result, 'code' | 'signal'>): number {
  return r.code ?? 128 + constants.signals[r.signal!];
}

/** Every sluice still running, so that none outlives its test file (test/support/reap.ts). */
export const live = new Set<ChildProcess>();

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
  live.add(child);
  child.on('close', () => live.delete(child));
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
