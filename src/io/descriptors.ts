// Paths that are not regular files: those that name a descriptor this process already has
// (/dev/stdin, /dev/fd/N from a shell's `<(cmd)`), used as that descriptor rather than opened again
// (a socket cannot be), and FIFOs, devices and sockets, which are streams with no positions.

import { statSync } from 'node:fs';

const NAMED = /^\/(?:dev\/(?:(stdin)|(stdout)|(stderr)|fd\/(\d+))|proc\/self\/fd\/(\d+))$/;

/** The descriptor `path` names (0 for /dev/stdin, N for /dev/fd/N), or undefined. */
export function namedDescriptor(path: string): number | undefined {
  const m = NAMED.exec(path);
  if (!m) return undefined;
  return m[1] ? 0 : m[2] ? 1 : m[3] ? 2 : Number(m[4] ?? m[5]);
}

/** Whether `path` is a stream: a named descriptor, a FIFO, a character device or a socket. */
export function isStream(path: string): boolean {
  if (namedDescriptor(path) !== undefined) return true;
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && (st.isFIFO() || st.isCharacterDevice() || st.isSocket());
}
