// Error types with stable codes; callers branch on `code` or class, never on message text.

/** Process exit statuses of the user contract (DESIGN.md §3). */
export const EXIT = { ok: 0, runtime: 1, usage: 2, config: 78 } as const;

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
