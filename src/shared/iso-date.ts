/**
 * ISO 8601 / RFC 3339 dates and date-times as clients send them: `2024-05-01`,
 * `2024-05-01T10:30`, `2024-05-01T10:30:00.123Z`, `2024-05-01 10:30:00+02:00` (`T` or a
 * space; seconds, fractions up to nanoseconds and the offset optional — `Z`, `±hh:mm` or
 * `±hhmm`; a date-time without an offset is the server's local time, as `Date.parse` reads
 * it). `Date.parse` alone is far more lenient — it reads `"1"` as 2001-01-01 and rolls
 * 2020-02-30 over to March 1st — so the form and the calendar are checked first.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * Milliseconds since the epoch, or null when `text` is not such a date (wrong form, or a day,
 * hour, minute or offset that does not exist).
 *
 * @example
 * parseIsoDate('2024-02-29T12:00:00Z'); // 1709208000000
 * parseIsoDate('2023-02-29');           // null
 * parseIsoDate('1');                    // null
 */
export function parseIsoDate(text: string): number | null {
  const m = ISO.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return null;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/** Days in a month of the Gregorian calendar (month 1–12). */
export function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
