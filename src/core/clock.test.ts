// The system clock's timers, for delays setTimeout cannot take in one go.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.ts';

describe('systemClock.at', () => {
  afterEach(() => void vi.useRealTimers());

  it('waits out a delay longer than setTimeout takes (a 30-day batch) instead of firing at once', () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const day = 86_400_000;
    systemClock.at(30 * day, fired);
    expect(spy.mock.calls.every(([, ms]) => (ms ?? 0) <= 2 ** 31 - 1)).toBe(true);
    vi.advanceTimersByTime(30 * day - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('can be cancelled while it waits', () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const cancel = systemClock.at(30 * 86_400_000, fired);
    vi.advanceTimersByTime(25 * 86_400_000);
    cancel();
    vi.advanceTimersByTime(10 * 86_400_000);
    expect(fired).not.toHaveBeenCalled();
  });
});
