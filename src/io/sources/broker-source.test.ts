// Unacked: a batch's position takes exactly the handles delivered before it, in order, and a lost
// connection voids the handles it delivered without upsetting later positions.

import { describe, expect, it } from 'vitest';
import { Unacked } from './broker-source.ts';

describe('Unacked', () => {
  it('gives the handles delivered before a position, once, in order', () => {
    const u = new Unacked<string>();
    u.add('a');
    u.add('b');
    const first = u.position();
    u.add('c'); // came while the batch closed: the next batch's
    expect(u.take(first)).toEqual(['a', 'b']);
    expect(u.take(first)).toEqual([]);
    expect(u.take(u.position())).toEqual(['c']);
  });

  it('counts messages that need no acknowledgement, and drops the handles of a lost connection', () => {
    const u = new Unacked<number>();
    u.add(1);
    u.skip();
    const before = u.position();
    expect(before).toBe(2);
    u.clear();
    u.add(2);
    expect(u.take(before)).toEqual([]);
    expect(u.take(u.position())).toEqual([2]);
  });

  it('keeps its memory bounded by what is unacknowledged', () => {
    const u = new Unacked<number>();
    for (let i = 0; i < 10_000; i++) {
      u.add(i);
      if (i % 100 === 99) expect(u.take(u.position())).toHaveLength(100);
    }
    expect(u.size).toBe(0);
  });
});
