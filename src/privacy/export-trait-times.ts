import { isTraitName, TIME_BY_KEY_TRAITS, TRAITS } from '../profiles/trait-registry.js';

/**
 * Whether a computed trait holds a time (`time`: registry type `date`), times by key
 * (`time_by_key`), or neither (`null`, also for names the registry does not declare).
 *
 * @example
 * traitTimeKind('first_order_at'); // 'time'
 * traitTimeKind('last_event_at'); // 'time_by_key'
 * traitTimeKind('orders_count'); // null
 */
export function traitTimeKind(name: string): 'time' | 'time_by_key' | null {
  if (!isTraitName(name)) return null;
  if (TRAITS[name].type === 'date') return 'time';
  return TIME_BY_KEY_TRAITS.has(name) ? 'time_by_key' : null;
}

const iso = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : v);

/**
 * A computed trait's value as the export writes it: times, stored as epoch ms, become
 * ISO-8601 UTC strings (docs/privacy.md "Times are ISO-8601 UTC"), by key for per-key
 * times; every other value, and `null`, is unchanged.
 *
 * @example
 * exportTraitValue('last_seen', 1714564800000); // '2024-05-01T12:00:00.000Z'
 * exportTraitValue('last_event_at', { 'Order Completed': 1714564800000 }); // { 'Order Completed': '2024-05-01T12:00:00.000Z' }
 * exportTraitValue('orders_count', 3); // 3
 */
export function exportTraitValue(name: string, value: unknown): unknown {
  const kind = traitTimeKind(name);
  if (kind === 'time') return iso(value);
  if (kind === 'time_by_key' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, iso(v)]));
  }
  return value;
}
