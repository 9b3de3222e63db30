// Exponential backoff with jitter, for reconnecting sockets and retrying HTTP posts: the wait doubles
// after each failure up to a ceiling, and a random part keeps many clients from retrying in step.

import { setTimeout as sleep } from 'node:timers/promises';

export const BACKOFF = { baseMs: 100, maxMs: 30_000 };

/** The wait before retry `attempt` (0 for the first): half of the ceiling fixed, half random ("equal jitter"). */
export function backoffMs(attempt: number, random: () => number = Math.random, { baseMs, maxMs } = BACKOFF): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Wait `ms`; resolves early (false) when `signal` aborts, true otherwise. */
export function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  return sleep(ms, true, { signal }).catch(() => false);
}
