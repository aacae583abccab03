import type { Tailor } from '../../src/main.js';
import { seededRng } from '../../src/recommend/rng.js';
import type { Workspace } from '../../src/workspaces/index.js';
import { basic } from './app.js';

const DAY = 86_400_000;

/** A catalog item of the test shop, with defaults. */
export function shopItem(overrides: Record<string, unknown> & { id: string }): Record<string, unknown> {
  return { name: `Item ${overrides.id}`, category: 'Misc', price: 5, currency: 'GBP', tags: [], in_stock: true, created_at: '2024-01-01T00:00:00Z', ...overrides };
}

/**
 * A small shop whose customers have clear tastes, so that what a good recommender should do
 * is known: tea lovers buy teas (and a snack), coffee lovers buy coffees, gym-goers buy
 * protein. `new-tea` was added two days before `now` and nobody has bought it;
 * `coffee-oos` is out of stock.
 */
export const SHOP_CATALOG = [
  ...[1, 2, 3, 4, 5, 6].map((k) => shopItem({ id: `tea-${k}`, name: `Green tea blend ${k}`, category: 'Drinks > Tea', price: 2 * k, tags: ['tea'] })),
  ...[1, 2, 3, 4, 5, 6].map((k) => shopItem({ id: `coffee-${k}`, name: `Coffee roast ${k}`, category: 'Drinks > Coffee', price: 3 * k, tags: ['coffee'] })),
  ...[1, 2, 3, 4].map((k) => shopItem({ id: `prot-${k}`, name: `Protein bar ${k}`, category: 'Sports > Protein', price: 4 + k, tags: ['protein', 'workout'] })),
  ...[1, 2, 3].map((k) => shopItem({ id: `beer-${k}`, name: `Craft beer ${k}`, category: 'Drinks > Beer', price: 3 + k, tags: ['alcohol'] })),
  ...[1, 2, 3, 4, 5].map((k) => shopItem({ id: `snack-${k}`, name: `Oat snack ${k}`, category: 'Snacks', price: 1 + k, tags: ['snack'] })),
  shopItem({ id: 'snack-ls', name: 'Low sugar oat snack', category: 'Snacks', price: 3, tags: ['snack', 'low sugar'] }),
  shopItem({ id: 'coffee-oos', name: 'Coffee roast special', category: 'Drinks > Coffee', price: 9, tags: ['coffee'], in_stock: false }),
];

/** Orders of the shop's customers: `group-k` customers, each order 1–3 items of their taste, over the 60 days before `now`. */
export function shopOrders(now: number, seed = 7): Array<Record<string, unknown>> {
  const rng = seededRng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const groups: Array<{ name: string; people: number; items: string[] }> = [
    { name: 'tea', people: 30, items: ['tea-1', 'tea-2', 'tea-3', 'tea-4', 'tea-5', 'tea-6', 'snack-1', 'snack-ls'] },
    { name: 'coffee', people: 30, items: ['coffee-1', 'coffee-2', 'coffee-3', 'coffee-4', 'coffee-5', 'coffee-6', 'snack-2'] },
    { name: 'gym', people: 10, items: ['prot-1', 'prot-2', 'prot-3', 'prot-4', 'snack-3'] },
  ];
  const out: Array<Record<string, unknown>> = [];
  let n = 0;
  for (const g of groups) {
    for (let p = 1; p <= g.people; p++) {
      for (let o = 0; o < 3; o++) {
        const products = [...new Set([pick(g.items), pick(g.items), pick(g.items)].slice(0, 1 + Math.floor(rng() * 3)))];
        const at = now - Math.floor(1 + rng() * 59) * DAY;
        out.push({
          type: 'track', event: 'Order Completed', userId: `${g.name}-${p}`, messageId: `order-${g.name}-${p}-${o}-${++n}`, timestamp: new Date(at).toISOString(),
          properties: { order_id: `o-${g.name}-${p}-${o}`, currency: 'GBP', revenue: products.length * 5, products: products.map((id) => ({ product_id: id, price: 5, quantity: 1 })) },
          context: { location: { country: g.name === 'coffee' ? 'DE' : 'GB' } },
        });
      }
    }
  }
  return out;
}

/** Posts events through the ingest API in batches and fails on any rejection. */
export async function ingestAll(tailor: Tailor, writeKey: string, events: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const res = await tailor.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ batch: events.slice(i, i + 100) }), headers: { 'content-type': 'application/json', authorization: basic(writeKey) } });
    const body = await res.json() as { rejected?: unknown[] };
    if (res.status !== 200 || (body.rejected?.length ?? 0) > 0) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** Creates a US workspace (personalization on by default), loads the shop's catalog and orders, and trains. */
export async function openShop(tailor: Tailor, now: number): Promise<{ workspace: Workspace; keys: { write: string; admin: string } }> {
  const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'Tea & coffee', jurisdiction: 'US', settings: { defaultCurrency: 'GBP' } as never });
  const added = await tailor.catalog.upsert(workspace.id, [...SHOP_CATALOG, shopItem({ id: 'new-tea', name: 'Green tea blend new', category: 'Drinks > Tea', price: 6, tags: ['tea'], created_at: new Date(now - 2 * DAY).toISOString() })]);
  if (added.rejected.length > 0) throw new Error(JSON.stringify(added.rejected));
  await ingestAll(tailor, keys.write, shopOrders(now));
  return { workspace, keys };
}
