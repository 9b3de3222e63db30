// A record's own time (--event-time) as ms since the epoch: a number of ms (or of seconds, with
// --event-time-unit s), a Date, an ISO 8601 text, or a Common Log Format timestamp. A time without a
// zone is UTC, so results never depend on the machine's time zone.

import { ExpressionFailed, preview } from './operator.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const ZONE = /^([+-])(\d{2}):?(\d{2})$/;

/** Below this a time in ms is before March 1973: more likely epoch seconds. */
export const SECONDS_LIKELY_BELOW = 1e11;

/** The time in ms, or undefined when `value` is not a time; a number counts `msPerUnit` ms. */
export function eventTimeOf(value: unknown, msPerUnit = 1): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * msPerUnit : undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  // a log's records come many to a second, with the same time text: parsed once
  if (value === last.text && msPerUnit === last.msPerUnit) return last.ms;
  const ms = textTimeOf(value, msPerUnit);
  last.text = value;
  last.msPerUnit = msPerUnit;
  last.ms = ms;
  return ms;
}

/** The text parsed last, and its time. */
const last: { text: string | undefined; msPerUnit: number; ms: number | undefined } = { text: undefined, msPerUnit: 1, ms: undefined };

function textTimeOf(value: string, msPerUnit: number): number | undefined {
  const text = value.trim();
  // a log's own timestamps first: read by position, a new second's time costs little
  const clf = text.length === CLF_LENGTH ? clfTimeOf(text) : undefined;
  if (clf !== undefined) return clf;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * msPerUnit;
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = iso;
    const z = ZONE.exec(zone);
    const offset = z ? (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) : 0;
    return utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Math.round(Number(frac) * 1000) : 0, offset);
  }
  return undefined;
}

/** Date.UTC with its fields checked (it would roll 2026-13-40 over silently), less the zone's offset in minutes. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  if (y !== day.y || mo !== day.mo || d !== day.d) {
    day.y = y;
    day.mo = mo;
    day.d = d;
    day.ms = Date.UTC(y, mo, d);
  }
  return day.ms + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + ms;
}

/** The last day utc() was asked about and its start: a log's times fall on few days. */
const day = { y: Number.NaN, mo: 0, d: 0, ms: 0 };

/** `dd/Mon/yyyy:HH:MM:SS +hhmm`, the Common Log Format's timestamp. */
const CLF_LENGTH = 26;
/** The months by their three letters, each as the number (c0 << 16 | c1 << 8 | c2) of its lower-case codes. */
const MONTHS = new Map(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [(m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), i]));

/** The time of a CLF timestamp (CLF_LENGTH characters), read by position; undefined if `text` is not one. */
function clfTimeOf(text: string): number | undefined {
  const at = (i: number) => text.charCodeAt(i);
  if (at(2) !== 47 || at(6) !== 47 || at(11) !== 58 || at(14) !== 58 || at(17) !== 58 || at(20) !== 32) return undefined;
  // c | 32 is a lower-case letter only for that letter and its capital
  const mo = MONTHS.get(((at(3) | 32) << 16) | ((at(4) | 32) << 8) | (at(5) | 32));
  const sign = at(21) === 45 ? -1 : at(21) === 43 ? 1 : 0;
  const d = twoDigits(text, 0);
  const y = twoDigits(text, 7) * 100 + twoDigits(text, 9);
  const h = twoDigits(text, 12);
  const mi = twoDigits(text, 15);
  const s = twoDigits(text, 18);
  const offset = sign * (twoDigits(text, 22) * 60 + twoDigits(text, 24));
  // a character that is not a digit makes the sum NaN
  if (mo === undefined || sign === 0 || Number.isNaN(d + y + h + mi + s + offset)) return undefined;
  return utc(y, mo, d, h, mi, s, 0, offset);
}

/** The number the two digits at `i` write, or NaN. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/** Whether `value` is a time given as a number (a number, or a text of digits), not a date. */
export function isNumericTime(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value));
}

/** The time in ms of what an --event-time expression gave, or an error naming the operator and the value. */
export function recordTimeOf(value: unknown, msPerUnit: number, label: string): number {
  const t = eventTimeOf(value, msPerUnit);
  if (t === undefined) throw new ExpressionFailed(label, new TypeError(`event time ${preview(value)} is not a time: use epoch ms, ISO 8601 or a CLF timestamp`));
  return t;
}
