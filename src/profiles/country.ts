import type { EventInput } from './inputs.js';

/** Longer than any country name the data is likely to spell; longer strings are not a country. */
const MAX_COUNTRY_LENGTH = 100;

/**
 * A country value as the data spells it, trimmed, or null when it is not one: not a string,
 * empty, or longer than 100 characters. Two ASCII letters are read as an ISO 3166-1 alpha-2
 * code and upper-cased ("gb" → "GB"); anything else is kept as written ("United Kingdom"),
 * because mapping names to codes needs a table of every spelling and would guess.
 *
 * @example
 * canonicalCountry(' gb '); // 'GB'
 * canonicalCountry('United Kingdom'); // 'United Kingdom'
 * canonicalCountry(''); // null
 */
export function canonicalCountry(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const country = value.trim();
  if (country === '' || country.length > MAX_COUNTRY_LENGTH) return null;
  return /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : country;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

/**
 * The country an event tells, or null. The first valid one of: `context.location.country`
 * (Segment context; the Online Retail import puts the file's Country there), then for an
 * `identify` event its `traits.address.country` (Segment's standard `address` trait) and
 * `traits.country`, then `context.traits.address.country` (traits sent with any call).
 *
 * @example
 * eventCountry({ type: 'track', event: 'Order Completed', timestamp: 0, properties: {}, context: { location: { country: 'United Kingdom' } } }); // 'United Kingdom'
 */
export function eventCountry(event: EventInput): string | null {
  const { context } = event;
  const traits = event.type === 'identify' ? event.traits : undefined;
  return canonicalCountry(field(context['location'], 'country'))
    ?? canonicalCountry(field(traits?.['address'], 'country'))
    ?? canonicalCountry(traits?.['country'])
    ?? canonicalCountry(field(field(context['traits'], 'address'), 'country'));
}
