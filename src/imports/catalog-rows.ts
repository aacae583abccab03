import { INGEST_LIMITS } from '../ingest/index.js';
import { safeParseJson } from '../shared/json.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * A catalog CSV row as an item for the catalog's schema (which checks the values), or why
 * the row cannot be one. Columns: id, name, category (`Home > Kitchen`), brand, price,
 * currency, tags (separated by `|`), attributes (a JSON object), url, image, in_stock (`0`,
 * `false` or `no` for out of stock), created_at; empty cells are absent fields.
 *
 * @example
 * catalogCsvRow({ id: 'mug-1', name: 'Mug', attributes: '{"color":"red"}' }); // { ok: true, value: { id: 'mug-1', name: 'Mug', attributes: { color: 'red' } } }
 * catalogCsvRow({ id: 'mug-1', name: 'Mug', attributes: '[1]' });             // { ok: false, error: 'attributes: expected a JSON object …, got an array' }
 */
export function catalogCsvRow(r: Record<string, string>): Result<Record<string, unknown>, string> {
  const text = (k: string) => (r[k] ?? '').trim();
  const out: Record<string, unknown> = { id: text('id'), name: text('name') };
  if (text('category') !== '') out.category = text('category');
  if (text('brand') !== '') out.brand = text('brand');
  if (text('price') !== '') out.price = Number(text('price'));
  if (text('currency') !== '') out.currency = text('currency');
  if (text('tags') !== '') out.tags = text('tags').split('|').map((t) => t.trim()).filter((t) => t !== '');
  if (text('attributes') !== '') {
    const parsed = safeParseJson(text('attributes'), { maxDepth: INGEST_LIMITS.maxJsonDepth });
    if (!parsed.ok) return err(`attributes: ${parsed.reason}`);
    const v = parsed.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return err(`attributes: expected a JSON object such as {"color":"red"}, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
    out.attributes = v;
  }
  if (text('url') !== '') out.url = text('url');
  if (text('image') !== '') out.image = text('image');
  if (text('in_stock') !== '') out.in_stock = !['0', 'false', 'no'].includes(text('in_stock').toLowerCase());
  if (text('created_at') !== '') out.created_at = text('created_at');
  return ok(out);
}
