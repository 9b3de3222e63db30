// Event times as records give them: epoch ms or seconds, ISO 8601, CLF timestamps, in UTC.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeOf, isNumericTime, SECONDS_LIKELY_BELOW } from './event-time.ts';

describe('eventTimeOf', () => {
  it('takes a number as ms, or as seconds with 1000 ms to a unit, fractions kept', () => {
    expect(eventTimeOf(1764064800000)).toBe(1764064800000);
    expect(eventTimeOf(1764064800, 1000)).toBe(1764064800000);
    expect(eventTimeOf('1764064800.25', 1000)).toBe(1764064800250);
    expect(eventTimeOf(Number.NaN, 1000)).toBeUndefined();
  });

  it('gives the same text the same time again, and a numeric text its time in the unit asked', () => {
    expect(eventTimeOf('1764064800', 1000)).toBe(1764064800000);
    expect(eventTimeOf('1764064800', 1)).toBe(1764064800);
    expect(eventTimeOf('not a time')).toBeUndefined();
    expect(eventTimeOf('not a time')).toBeUndefined();
  });

  it('reads dates and texts the same whatever the unit', () => {
    const t = Date.UTC(2026, 10, 25, 10, 0, 2);
    for (const unit of [1, 1000]) {
      expect(eventTimeOf('2026-11-25T10:00:02Z', unit)).toBe(t);
      expect(eventTimeOf('25/Nov/2026:11:00:02 +0100', unit)).toBe(t);
      expect(eventTimeOf(new Date(t), unit)).toBe(t);
    }
  });

  it('reads a CLF timestamp in any case and zone, blanks around it too, and refuses one out of shape', () => {
    expect(eventTimeOf('01/Nov/2025:00:00:00 +0000')).toBe(Date.UTC(2025, 10, 1));
    expect(eventTimeOf('01/nOV/2025:23:59:60 -0130')).toBe(Date.UTC(2025, 10, 2, 1, 30)); // a leap second, in a zone behind UTC
    expect(eventTimeOf(' 31/Dec/1999:23:59:59 +0100 ')).toBe(Date.UTC(1999, 11, 31, 22, 59, 59));
    expect(eventTimeOf('31/Feb/2026:00:00:00 +0000')).toBe(Date.UTC(2026, 1, 31)); // rolled over, as Date.UTC does
    for (const bad of ['01/Nox/2025:00:00:00 +0000', '01/Nov/2025:24:00:00 +0000', '0a/Nov/2025:00:00:00 +0000', '01/Nov/2025:00:00:00 0000', '01-Nov-2025:00:00:00 +0000', '01/Nov/2025:00:00:00 +00x0']) {
      expect(eventTimeOf(bad)).toBeUndefined();
    }
  });

  it('reads a CLF timestamp by position as the regular expression of the format and Date.UTC do, on any text of its shape', () => {
    const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
    const reference = (text: string): number | undefined => {
      const m = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
      const mo = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
      if (!m || mo < 0) return undefined;
      const [d, y, h, mi, s, zh, zm] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number) as number[];
      if (d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return undefined;
      return Date.UTC(y!, mo, d!, h!, mi!, s!) - (m[7] === '-' ? -1 : 1) * (zh! * 60 + zm!) * 60_000;
    };
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const valid = fc
      .tuple(two(39), fc.constantFrom(...MONTHS, 'JAN', 'Dec', 'xyz'), fc.integer({ min: 1900, max: 2100 }), two(29), two(69), two(69), fc.constantFrom('+', '-'), two(14), two(59))
      .map(([d, mon, y, h, mi, s, sign, zh, zm]) => `${d}/${mon}/${y}:${h}:${mi}:${s} ${sign}${zh}${zm}`);
    // one character of it changed, to anything: each position is checked
    const damaged = fc.tuple(valid, fc.nat(25), fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c))).map(([text, i, c]) => text.slice(0, i) + c + text.slice(i + 1));
    const same = (text: string) => {
      expect(eventTimeOf(text)).toBe(reference(text));
    };
    fc.assert(fc.property(fc.oneof(valid, damaged), same), { numRuns: 5000 });
  });

  it('knows which values are numeric times, and that epoch seconds fall below the bound as ms', () => {
    expect([1764064800, ' 17 ', '1.5', '2026-11-25', new Date(0), null].map(isNumericTime)).toEqual([true, true, true, false, false, false]);
    expect(1764064800).toBeLessThan(SECONDS_LIKELY_BELOW);
    expect(Date.UTC(1973, 2, 4)).toBeGreaterThan(SECONDS_LIKELY_BELOW);
  });
});
