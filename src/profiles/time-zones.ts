/**
 * Time-zone and locale helpers on top of Intl (ECMA-402), which carries the IANA time-zone
 * database in every Node build with full ICU (the default since Node 13).
 */
import { zoneFormatter } from '../shared/zone-formatters.js';

/**
 * Whether a value is an IANA time-zone name Intl knows (`Europe/London`, `Asia/Shanghai`,
 * `UTC`). Offsets and abbreviations such as "CST", which are ambiguous, are rejected unless
 * Intl accepts them.
 *
 * @example
 * isTimeZone('Asia/Shanghai'); // true
 * isTimeZone('Mars/Olympus'); // false
 */
export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= 64 && zoneFormatter('hour', value) !== null;
}

/**
 * The hour of day (0–23) of a time in a time zone.
 *
 * @example
 * localHour(Date.parse('2024-07-01T12:30:00Z'), 'Asia/Shanghai'); // 20
 */
export function localHour(ms: number, zone: string): number {
  // Every UTC offset in the time-zone database is a whole number of quarter hours and every
  // transition falls on a quarter hour, so the local hour is constant within each UTC
  // quarter hour: remember it per zone and quarter (a bounded cache).
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${zone}\u0000${quarter}`;
  const known = hourCache.get(key);
  if (known !== undefined) return known;
  const hour = formatHour(ms, zone);
  if (hourCache.size >= MAX_CACHED_HOURS) hourCache.clear();
  hourCache.set(key, hour);
  return hour;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const MAX_CACHED_HOURS = 200_000;
const hourCache = new Map<string, number>();

function formatHour(ms: number, zone: string): number {
  const formatter = zoneFormatter('hour', zone);
  if (formatter === null) throw new Error(`localHour: unknown time zone "${zone}"`);
  const part = formatter.formatToParts(ms).find((p) => p.type === 'hour');
  if (part === undefined) throw new Error(`localHour: no hour for ${ms} in ${zone}`);
  // Some ICU versions write midnight as "24" even with h23.
  return Number(part.value) % 24;
}

/**
 * The canonical form of a BCP 47 locale tag, or null when it is not one.
 *
 * @example
 * canonicalLocale('zh-cn'); // 'zh-CN'
 * canonicalLocale('not a locale'); // null
 */
export function canonicalLocale(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || value.length > 64) return null;
  const known = localeCache.get(value);
  if (known !== undefined) return known;
  let canonical: string | null;
  try {
    canonical = Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    canonical = null;
  }
  if (localeCache.size >= MAX_CACHED_LOCALES) localeCache.clear();
  localeCache.set(value, canonical);
  return canonical;
}

// Events repeat a handful of locale strings: canonicalize each once (bounded).
const localeCache = new Map<string, string | null>();
const MAX_CACHED_LOCALES = 1000;
