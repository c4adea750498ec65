// RFC 3339 date-times read into instants (milliseconds since the epoch), strictly: the JSON
// Schema "date-time" format lets through text that Date.parse cannot read (a leap second,
// "23:59:60") or reads loosely (an offset without its colon), and a comparison with NaN is
// always false, so an unreadable time must never reach one. Security checks that meet a time
// they cannot read treat it as failing the check.

import { quote } from '../engine/index.js';
import { queryValidationError, type RequestIssue } from './errors.js';

/** RFC 3339; the offset may also omit its colon (+0100), as the schema's date-time format lets through. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number): number => (month === 2 && isLeapYear(year) ? 29 : DAYS[month - 1]);

export type InstantReading = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly leapSecond: boolean };

/** Read an RFC 3339 date-time (any offset, "T" or "t", "Z" or "z"); a leap second is not readable. */
export function readInstant(text: string): InstantReading {
  const m = RFC3339.exec(text);
  if (m === null) return { ok: false, leapSecond: false };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return { ok: false, leapSecond: false };
  }
  // JavaScript time has no leap seconds: 23:59:60 has no instant of its own.
  if (second > 59) return { ok: false, leapSecond: second === 60 };
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  // Not Date.UTC, which reads years 0-99 as 1900-1999.
  const exact = new Date(0);
  exact.setUTCFullYear(year, month - 1, day);
  exact.setUTCHours(hour, minute, second, fraction);
  const sign = m[9] === '-' ? -1 : 1;
  return { ok: true, ms: exact.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000 };
}

/** The instant of an RFC 3339 date-time, or undefined when it cannot be read. */
export function parseInstant(text: string): number | undefined {
  const reading = readInstant(text);
  return reading.ok ? reading.ms : undefined;
}

/** The instant as UTC RFC 3339, to the second, with milliseconds only when there are some. */
export function formatInstant(ms: number): string {
  const text = new Date(ms).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}

/** Why `text` is not a readable date-time, as a request issue at `pointer`; undefined when it is one. */
export function instantIssue(text: string, pointer: string): RequestIssue | undefined {
  const reading = readInstant(text);
  if (reading.ok) return undefined;
  const message = reading.leapSecond
    ? `${quote(text)} is a leap second, which has no instant of its own here; use the second before or after it.`
    : `Expected an RFC 3339 date-time such as "2030-01-01T00:00:00Z", got ${quote(text)}.`;
  return { code: 'invalid_format', pointer, message };
}

/**
 * A time filter of a query as an instant: compared as text, "08:00:00+01:00" would miss an
 * entry at "07:00:00.123Z", the same instant and later. One that cannot be read is refused
 * (400), not ignored.
 */
export function instantQuery(text: string | undefined, name: string): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const issue = instantIssue(text, `/${name}`);
  if (issue !== undefined) throw queryValidationError([issue]);
  return new Date(parseInstant(text)!);
}
