// Error types with stable codes; callers branch on `code` or class, never on message text.

/** Process exit statuses of the user contract (DESIGN.md §3). */
export const EXIT = { ok: 0, runtime: 1, usage: 2, config: 78 } as const;

/** What each exit status means, as the man page and README say it. */
export const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'done',
  runtime: 'runtime failure (for sluice test: a case failed)',
  usage: 'command-line usage error',
  config: 'invalid pipeline file',
};

/** The exit statuses as one sentence: `0 done, 1 runtime failure, ...`. */
export function exitStatusText(): string {
  return (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((k) => `${EXIT[k]} ${EXIT_MEANINGS[k]}`).join(', ');
}

export class SluiceError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, code: string, exitCode: number = EXIT.runtime, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad command line: unknown flag, bad value, an expression that does not compile. Exit 2. */
export class UsageError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'usage', EXIT.usage, options);
  }
}

/** An invalid pipeline file; `problems` are already positioned `FILE:LINE:COL: message` lines. Exit 78. */
export class ConfigError extends SluiceError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'), 'config', EXIT.config);
    this.problems = problems;
  }
}

/** A record that a codec or an expression could not handle, with where it came from. */
export class BadRecordError extends SluiceError {
  readonly reason: string;
  readonly where: string;
  constructor(reason: string, where: string, options?: { cause?: unknown }) {
    super(`${where}: ${reason}`, 'bad-record', EXIT.runtime, options);
    this.reason = reason;
    this.where = where;
  }
}

/** A source or sink failed (I/O, network, protocol). */
export class IoError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'io', EXIT.runtime, options);
  }
}

/**
 * A sink that cannot work at all (credentials refused, a table whose schema cannot take the rows):
 * it fails the run whatever --on-error says, since no record of any batch would get through.
 */
export class SinkRefusedError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'sink-refused', EXIT.runtime, options);
  }
}

/** The message of any thrown value, without a stack. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Meaning = [meaning: string, todo: string];
const DENIED: Meaning = ['permission denied', 'check its permissions, or use another path'];
const TOO_MANY: Meaning = ['too many open files', 'raise the limit (ulimit -n)'];

/** What the operating system's refusals mean, and what to do about them. */
const SYSTEM: Record<string, Meaning> = {
  ENOENT: ['no such file or directory', 'check the path'],
  EACCES: DENIED,
  EPERM: DENIED,
  ENOSPC: ['no space left on the device', 'free some space and run again'],
  EDQUOT: ['disk quota exceeded', 'free some space and run again'],
  EROFS: ['read-only file system', 'use a path on a writable file system'],
  ENOTDIR: ['a part of the path is a file, not a directory', 'check the path'],
  EEXIST: ['a file is in the way of a directory', 'check the path'],
  EISDIR: ['it is a directory', 'give the path of a file'],
  EMFILE: TOO_MANY,
  ENFILE: TOO_MANY,
  EADDRINUSE: ['the address is in use', 'stop what uses it or choose another port'],
  EADDRNOTAVAIL: ['the address is not one of this machine', 'use one of its addresses, or 0.0.0.0'],
};

/**
 * Why `err` happened, in words: a system error's code as what it means and what to do ("no space
 * left on the device; free some space and run again"), without the file Node names (which may be
 * a temporary one the user never gave); any other error's message.
 */
export function reasonOf(err: unknown): string {
  const known = SYSTEM[(err as NodeJS.ErrnoException | undefined)?.code ?? ''];
  return known ? `${known[0]}; ${known[1]}` : messageOf(err);
}

/**
 * An IoError saying what failed (`cannot write out-1000.txt`) and why, in words; a full disk says
 * so first: `disk full: cannot write out-1000.txt (no space left on the device; free some space and
 * run again)`. An error of sluice's own already says what failed, and stays as it is.
 */
export function ioFailure(what: string, err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = code === 'ENOSPC' || code === 'EDQUOT' ? `disk full: ${what} (${reasonOf(err)})` : `${what}: ${reasonOf(err)}`;
  return new IoError(message, { cause: err });
}

/** `step()`, a failure of which is an ioFailure saying `what` failed. */
export function failingAs<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw ioFailure(what, err);
  }
}

/**
 * Why retrying a network error cannot help, or undefined if it may: every failure under it is a host
 * name that does not exist (NXDOMAIN). A temporary DNS failure (EAI_AGAIN) is worth retrying.
 */
export function lastingFailure(err: unknown): string | undefined {
  const hosts = new Set<string>();
  for (const leaf of leaves(err)) {
    const e = (leaf ?? {}) as { code?: unknown; hostname?: unknown };
    if (e.code !== 'ENOTFOUND' || typeof e.hostname !== 'string') return undefined;
    hosts.add(e.hostname);
  }
  const names = [...hosts].map((h) => `'${h}'`).join(', ');
  return hosts.size ? `host ${names} not found: the name does not resolve (check the host in the URI)` : undefined;
}

/** The errors at the bottom of `err`'s causes and aggregated errors. */
function leaves(err: unknown): unknown[] {
  if (err instanceof AggregateError && err.errors.length) return err.errors.flatMap(leaves);
  if (err instanceof Error && err.cause !== undefined) return leaves(err.cause);
  return [err];
}
