/**
 * Intl (ECMA-402) date formatters for IANA time zones, built once per zone and use. They are
 * costly to build and immutable, so each is kept for the process's lifetime; a zone Intl does
 * not know is remembered as null, so a flood of one bad name costs one exception. Each cache
 * holds at most 1,000 zones (names come from events and requests) and starts over when full.
 */

/** What a formatter writes: the hour; hour, weekday and month; or the whole date and time. */
const OPTIONS = {
  hour: { hour: 'numeric', hourCycle: 'h23' },
  moment: { hour: 'numeric', hourCycle: 'h23', weekday: 'short', month: 'numeric' },
  datetime: { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;
export type ZoneFormatterKind = keyof typeof OPTIONS;

const MAX_ZONES = 1000;
const caches: { [K in ZoneFormatterKind]: Map<string, Intl.DateTimeFormat | null> } = { hour: new Map(), moment: new Map(), datetime: new Map() };

/**
 * The formatter of `kind` for `zone` (en-US, 24-hour clock), or null when Intl does not know
 * the zone.
 *
 * @example
 * zoneFormatter('hour', 'Asia/Shanghai')?.formatToParts(Date.parse('2024-07-01T12:30:00Z')); // [{ type: 'hour', value: '20' }]
 * zoneFormatter('hour', 'Mars/Olympus'); // null
 */
export function zoneFormatter(kind: ZoneFormatterKind, zone: string): Intl.DateTimeFormat | null {
  const cache = caches[kind];
  const cached = cache.get(zone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, ...OPTIONS[kind] });
  } catch {
    formatter = null;
  }
  if (cache.size >= MAX_ZONES) cache.clear();
  cache.set(zone, formatter);
  return formatter;
}
