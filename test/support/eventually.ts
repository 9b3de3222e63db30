// End-to-end tests wait for what a running sluice has done (lines in a file, a server's count)
// by looking again every few milliseconds, never by sleeping a guessed time.

import { existsSync, readFileSync } from 'node:fs';

/** Resolves once `ok()` holds; rejects with `what` after `timeoutMs`. */
export async function eventually(ok: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The lines of a file written so far ([] while it does not exist). */
export function linesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text ? text.replace(/\n$/, '').split('\n') : [];
}

/** `n` distinct lines tagged `tag`, numbered from `from`, each ended by a newline. */
export function numbered(tag: string, from: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `${tag} ${from + i}\n`).join('');
}
