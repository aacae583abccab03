/**
 * Order dates as shop exports write them: a wall-clock time without a zone, in one of a few
 * written forms, read in the shop's time zone (IANA rules through Intl, ECMA-402) or at a
 * fixed offset. Pure: no clock, no environment.
 */
import { daysIn, parseIsoDate } from '../shared/iso-date.js';
import { zoneFormatter } from '../shared/zone-formatters.js';

/**
 * The written forms of a date an order import can read:
 * - `iso`: `2010-12-01 08:26:00` or `2010-12-01T08:26` (seconds and a fraction optional; a
 *   bare date is midnight). A trailing `Z` or `±hh:mm` is an explicit offset and wins over the
 *   mapping's zone.
 * - `m/d/yyyy`: `12/1/2010 8:26` or `12/01/2010 08:26:00` (US order, as in spreadsheet CSVs).
 * - `d/m/yyyy`: `1/12/2010 8:26` (day first).
 */
export const DATE_FORMATS = ['iso', 'm/d/yyyy', 'd/m/yyyy'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

interface WallTime { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond: number }

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function wallTime(parts: { year: string; month: string; day: string; hour?: string | undefined; minute?: string | undefined; second?: string | undefined; fraction?: string | undefined }): WallTime | null {
  const w: WallTime = {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour ?? 0), minute: Number(parts.minute ?? 0),
    second: Number(parts.second ?? 0), millisecond: parts.fraction === undefined ? 0 : Math.floor(Number(`0.${parts.fraction}`) * 1000),
  };
  // Four-digit years below 1000 are typing errors in an order export (and Date.UTC would read 0–99 as 19xx).
  if (w.year < 1000 || w.month < 1 || w.month > 12 || w.day < 1 || w.day > daysIn(w.year, w.month)) return null;
  if (w.hour > 23 || w.minute > 59 || w.second > 59) return null;
  return w;
}

function readWallTime(text: string, format: DateFormat): WallTime | null {
  if (format === 'iso') {
    const m = ISO_LOCAL.exec(text);
    return m === null ? null : wallTime({ year: m[1]!, month: m[2]!, day: m[3]!, hour: m[4], minute: m[5], second: m[6], fraction: m[7] });
  }
  const m = SLASHED.exec(text);
  if (m === null) return null;
  const [first, second] = format === 'm/d/yyyy' ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
  return wallTime({ year: m[3]!, month: first, day: second, hour: m[4], minute: m[5], second: m[6] });
}

// Offsets are whole minutes and change at most a few times a year; every transition of the
// zones shops use falls on a whole quarter hour, so the offset is remembered per UTC quarter
// hour (bounded cache; an import's dates fall in few quarters).
const QUARTER_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();

/**
 * The offset from UTC of `zone` at the instant `ms`, in milliseconds (Europe/London: 0 in
 * winter, 3,600,000 in summer).
 *
 * @example
 * zoneOffsetMs('Europe/London', Date.parse('2011-06-01T12:00:00Z')); // 3600000
 */
export function zoneOffsetMs(zone: string, ms: number): number {
  const key = `${zone}\u0000${Math.floor(ms / QUARTER_MS)}`;
  const known = offsetCache.get(key);
  if (known !== undefined) return known;
  const f = zoneFormatter('datetime', zone);
  if (f === null) throw new Error(`zoneOffsetMs: unknown time zone "${zone}"`);
  const at = Math.floor(ms / QUARTER_MS) * QUARTER_MS;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  // Some ICU versions write midnight as "24" even with h23.
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  const offset = asUtc - at;
  if (offsetCache.size >= 100_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

const DAY_MS = 86_400_000;

/**
 * The instant a wall-clock time in `zone` denotes. Disambiguated as Temporal's `compatible`
 * mode (and RFC 5545) does, so the result is always one instant: a time that occurs twice
 * (the hour repeated when clocks go back) is the earlier one, still on summer time; a time
 * that does not exist (the hour skipped when clocks go forward) is read with the offset in
 * force before the change, i.e. moved forward by the gap (01:30 on the March change in London
 * is 01:30 UTC, shown as 02:30 BST).
 *
 * @example
 * wallTimeToUtc(Date.UTC(2011, 5, 1, 9, 0), 'Europe/London'); // Date.parse('2011-06-01T08:00:00Z')
 */
export function wallTimeToUtc(wallAsUtc: number, zone: string): number {
  // Offsets before and after any change near this time (zones change at most once a day).
  const before = zoneOffsetMs(zone, wallAsUtc - DAY_MS);
  const after = zoneOffsetMs(zone, wallAsUtc + DAY_MS);
  const candidates = [wallAsUtc - before, wallAsUtc - after].filter((t) => t + zoneOffsetMs(zone, t) === wallAsUtc);
  if (candidates.length === 0) return wallAsUtc - before; // in a gap
  return Math.min(...candidates); // one instant, or the earlier of two in an overlap
}

/** Where wall-clock times are: an IANA zone, or a fixed offset from UTC in minutes. */
export type LocalZone = { timeZone: string } | { offsetMinutes: number };

/**
 * Reads an order date written in one of `formats` (tried in order) as wall-clock time in
 * `zone`; an ISO date-time with an explicit offset is taken as written. NaN when the text is
 * in none of the forms or names a day or time that does not exist (`2/30/2011`, `25:00`).
 *
 * @example
 * parseLocalDate('12/1/2010 8:26', ['iso', 'm/d/yyyy'], { timeZone: 'Europe/London' }); // Date.parse('2010-12-01T08:26:00Z')
 * parseLocalDate('2011-06-01 09:00:00', ['iso'], { timeZone: 'Europe/London' });          // Date.parse('2011-06-01T08:00:00Z')
 */
export function parseLocalDate(text: string, formats: readonly DateFormat[], zone: LocalZone): number {
  const t = text.trim();
  if (formats.includes('iso') && ISO_ZONED.test(t)) return parseIsoDate(t) ?? Number.NaN;
  for (const format of formats) {
    const w = readWallTime(t, format);
    if (w === null) continue;
    const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
    return 'timeZone' in zone ? wallTimeToUtc(wall, zone.timeZone) : wall - zone.offsetMinutes * 60_000;
  }
  return Number.NaN;
}
