// A record's own time (--event-time) as ms since the epoch: a number of ms (or of seconds, with
// --event-time-unit s), a Date, an ISO 8601 text, or a Common Log Format timestamp. A time without a
// zone is UTC, so results never depend on the machine's time zone.

import { ExpressionFailed, preview } from './operator.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const CLF = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

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
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * msPerUnit;
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = iso;
    return utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Math.round(Number(frac) * 1000) : 0, zone);
  }
  const clf = CLF.exec(text);
  if (!clf) return undefined;
  const [, d, mon, y, h, mi, s, zone] = clf;
  return utc(Number(y), MONTHS.indexOf(mon!.toLowerCase()), Number(d), Number(h), Number(mi), Number(s), 0, zone!);
}

/** Date.UTC with its fields checked (it would roll 2026-13-40 over silently), less the zone's offset. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: string): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  const offset = z ? (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000 : 0;
  return Date.UTC(y, mo, d, h, mi, s, ms) - offset;
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
