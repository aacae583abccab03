/**
 * A synthetic customer base for the population-scale benchmarks (computed traits, segments):
 * N profiles with a user id and an email, M events spread over them with a skewed
 * (geometric) number per person, over the year before `now`, and an order with 1–3 lines for
 * every `Order Completed` event. Written straight into the store's tables in large
 * multi-row statements (SQLite: fixed-shape statements the statement cache reuses;
 * PostgreSQL: one `unnest` insert per chunk), because generating 10 million events through
 * the ingest path would take longer than the benchmarks themselves. Deterministic per seed.
 *
 * @example
 * const counts = await generatePopulation({ store, workspaceId, profiles: 10_000, events: 100_000, now: Date.UTC(2025, 0, 1) });
 */
import { sql } from 'kysely';
import type { EventInput } from '../../src/profiles/inputs.js';
import { emptyTraitState, foldTraitState } from '../../src/profiles/trait-state.js';
import type { Store } from '../../src/store/store.js';

export interface PopulationOptions {
  store: Store;
  workspaceId: string;
  profiles: number;
  events: number;
  /** The end of the generated year (epoch ms). */
  now: number;
  seed?: number;
  /**
   * Write each profile's incremental trait state, as ingest would have kept it (default
   * true); false leaves profiles without one, as after a bulk load around ingest.
   */
  traitStates?: boolean;
  /** Called after each chunk with the rows written so far. */
  onProgress?: (p: { table: string; done: number; total: number }) => void;
}

export interface PopulationCounts {
  profiles: number;
  identities: number;
  events: number;
  orders: number;
  orderItems: number;
}

const DAY = 86_400_000;
const CATEGORIES = ['Kitchen', 'Garden', 'Gifts', 'Toys', 'Bath', 'Lighting', 'Stationery', 'Party'];
const COUNTRIES = ['GB', 'DE', 'FR', 'NL', 'ES', 'CN', 'US'];
/** Event mix: [name, type, cumulative share]. */
const MIX: ReadonlyArray<readonly [string | null, 'track' | 'page', number]> = [
  [null, 'page', 0.3],
  ['Product Viewed', 'track', 0.65],
  ['Product Added', 'track', 0.8],
  ['Email Opened', 'track', 0.88],
  ['Email Clicked', 'track', 0.92],
  ['Checkout Started', 'track', 0.95],
  ['Order Completed', 'track', 1],
];

export function profileIdOf(i: number): string {
  return `pop-${i.toString(36).padStart(6, '0')}`;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = Record<string, string | number | null>;

/** Column name → PostgreSQL array type for `unnest`. */
type Columns = ReadonlyArray<readonly [string, 'text' | 'bigint' | 'float8' | 'jsonb' | 'int']>;

const TABLES: Record<string, Columns> = {
  profiles: [['workspace_id', 'text'], ['id', 'text'], ['traits', 'jsonb'], ['first_seen_at', 'bigint'], ['last_seen_at', 'bigint'], ['created_at', 'bigint'], ['updated_at', 'bigint'], ['merged_into', 'text'], ['trait_state', 'jsonb']],
  identities: [['workspace_id', 'text'], ['type', 'text'], ['value', 'text'], ['profile_id', 'text'], ['first_seen_at', 'bigint'], ['source_message_id', 'text']],
  events: [
    ['workspace_id', 'text'], ['message_id', 'text'], ['type', 'text'], ['event', 'text'], ['name', 'text'], ['profile_id', 'text'], ['user_id', 'text'],
    ['anonymous_id', 'text'], ['group_id', 'text'], ['previous_id', 'text'], ['timestamp', 'bigint'], ['original_timestamp', 'bigint'], ['received_at', 'bigint'],
    ['sent_at', 'bigint'], ['properties', 'jsonb'], ['traits', 'jsonb'], ['context', 'jsonb'], ['integrations', 'jsonb'],
  ],
  orders: [
    ['workspace_id', 'text'], ['order_id', 'text'], ['profile_id', 'text'], ['kind', 'text'], ['status', 'text'], ['currency', 'text'], ['revenue', 'float8'], ['total', 'float8'],
    ['discount', 'float8'], ['refunded_amount', 'float8'], ['coupon', 'text'], ['placed_at', 'bigint'], ['updated_at', 'bigint'], ['source', 'text'], ['message_id', 'text'],
  ],
  order_items: [['workspace_id', 'text'], ['order_id', 'text'], ['line', 'int'], ['item_id', 'text'], ['name', 'text'], ['category', 'text'], ['price', 'float8'], ['quantity', 'int']],
};

/** Buffers rows per table and writes them in large statements. */
function writer(store: Store, onProgress: PopulationOptions['onProgress'], totals: Record<string, number>) {
  const buffers = new Map<string, Row[]>();
  const written = new Map<string, number>();
  const sqliteChunk = (table: string) => Math.floor(30_000 / TABLES[table]!.length);
  const pgChunk = 10_000;

  async function flushTable(table: string, all: boolean): Promise<void> {
    const rows = buffers.get(table) ?? [];
    const columns = TABLES[table]!;
    const size = store.features.name === 'sqlite' ? sqliteChunk(table) : pgChunk;
    while (rows.length >= size || (all && rows.length > 0)) {
      const chunk = rows.splice(0, Math.min(size, rows.length));
      if (store.features.name === 'sqlite') {
        await store.db.insertInto(table as never).values(chunk as never).execute();
      } else {
        const arrays = columns.map(([name, type]) => sql`${chunk.map((r) => r[name] ?? null)}::${sql.raw(type)}[]`);
        await sql`insert into ${sql.table(table)} (${sql.join(columns.map(([name]) => sql.ref(name)))}) select * from unnest(${sql.join(arrays)})`.execute(store.db);
      }
      const done = (written.get(table) ?? 0) + chunk.length;
      written.set(table, done);
      onProgress?.({ table, done, total: totals[table] ?? done });
    }
  }

  return {
    async add(table: string, row: Row): Promise<void> {
      let b = buffers.get(table);
      if (b === undefined) buffers.set(table, (b = []));
      b.push(row);
      if (b.length >= 50_000) await flushTable(table, false);
    },
    async flush(): Promise<void> {
      for (const table of buffers.keys()) await flushTable(table, true);
    },
  };
}

/**
 * The secondary indexes of the bulk-loaded tables, as SQL that recreates them: dropped before
 * the load and rebuilt after it, as bulk loads do (building an index from sorted data is far
 * faster than inserting ten million random keys into it).
 */
async function dropSecondaryIndexes(store: Store, tables: readonly string[]): Promise<string[]> {
  const list = sql.join(tables.map((t) => sql`${t}`));
  const defs = store.features.name === 'sqlite'
    ? (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${list})`.execute(store.db)).rows
    : (await sql<{ name: string; sql: string }>`select indexname as name, indexdef as sql from pg_indexes where schemaname = current_schema() and tablename in (${list}) and indexname not like '%_pk'`.execute(store.db)).rows;
  for (const d of defs) await sql`drop index ${sql.id(d.name)}`.execute(store.db);
  return defs.map((d) => d.sql);
}

/** Writes the population; returns how many rows of each kind were written. */
export async function generatePopulation(options: PopulationOptions): Promise<PopulationCounts> {
  const recreate = await dropSecondaryIndexes(options.store, ['events', 'orders', 'order_items', 'identities', 'profiles']);
  try {
    return await writePopulation(options);
  } finally {
    for (const statement of recreate) await sql.raw(statement).execute(options.store.db);
  }
}

async function writePopulation(options: PopulationOptions): Promise<PopulationCounts> {
  const { store, workspaceId: ws, profiles, events, now } = options;
  const withStates = options.traitStates ?? true;
  const random = rng(options.seed ?? 7);
  const out = writer(store, options.onProgress, { profiles, identities: profiles * 2, events });
  const counts: PopulationCounts = { profiles: 0, identities: 0, events: 0, orders: 0, orderItems: 0 };
  const start = now - 365 * DAY;
  const meanPerProfile = events / profiles;
  let remaining = events;
  const integrations = '{}';

  for (let i = 0; i < profiles; i++) {
    const id = profileIdOf(i);
    // Geometric-ish activity: many light users, a few heavy ones; the last profile takes the rest.
    const left = profiles - i;
    let n = left === 1 ? remaining : Math.min(remaining - (left - 1), Math.max(1, Math.round(-Math.log(1 - random()) * meanPerProfile)));
    n = Math.max(0, n);
    remaining -= n;
    const country = COUNTRIES[i % COUNTRIES.length]!;
    const firstSeen = start + Math.floor(random() * 300 * DAY);
    const span = now - firstSeen;
    const times = Array.from({ length: n }, () => firstSeen + Math.floor(random() * span)).sort((a, b) => a - b);
    const lastSeen = times.length > 0 ? times[times.length - 1]! : firstSeen;
    await out.add('identities', { workspace_id: ws, type: 'user_id', value: `user-${i}`, profile_id: id, first_seen_at: firstSeen, source_message_id: null });
    await out.add('identities', { workspace_id: ws, type: 'email', value: `${id}@example.com`, profile_id: id, first_seen_at: firstSeen, source_message_id: null });
    counts.profiles++;
    counts.identities += 2;
    const contextObject = { timezone: country === 'CN' ? 'Asia/Shanghai' : 'Europe/London', locale: country === 'CN' ? 'zh-CN' : 'en-GB' };
    const context = JSON.stringify(contextObject);
    const folded: EventInput[] = [];
    for (let e = 0; e < n; e++) {
      const r = random();
      const [event, type] = MIX.find(([, , share]) => r < share)!;
      const item = Math.floor(random() * random() * 5_000);
      const category = CATEGORIES[item % CATEGORIES.length]!;
      const price = Math.round((2 + (item % 97) * 1.7) * 100) / 100;
      const at = times[e]!;
      const messageId = `${id}-${e}`;
      let properties: Record<string, unknown> = { product_id: `sku-${item}`, category, price };
      if (event === 'Order Completed') {
        const lines = 1 + Math.floor(random() * 3);
        let revenue = 0;
        for (let l = 0; l < lines; l++) {
          const li = (item + l * 37) % 5_000;
          const lp = Math.round((2 + (li % 97) * 1.7) * 100) / 100;
          const q = 1 + Math.floor(random() * 3);
          revenue += lp * q;
          await out.add('order_items', { workspace_id: ws, order_id: messageId, line: l, item_id: `sku-${li}`, name: `Product ${li}`, category: CATEGORIES[li % CATEGORIES.length]!, price: lp, quantity: q });
          counts.orderItems++;
        }
        revenue = Math.round(revenue * 100) / 100;
        const coupon = random() < 0.2 ? 'SAVE10' : null;
        await out.add('orders', {
          workspace_id: ws, order_id: messageId, profile_id: id, kind: 'order', status: 'completed', currency: 'GBP', revenue, total: revenue, discount: 0,
          refunded_amount: 0, coupon, placed_at: at, updated_at: at, source: 'bench', message_id: messageId,
        });
        counts.orders++;
        properties = { order_id: messageId, revenue, currency: 'GBP', ...(coupon === null ? {} : { coupon }) };
      }
      await out.add('events', {
        workspace_id: ws, message_id: messageId, type, event, name: type === 'page' ? 'Product' : null, profile_id: id, user_id: `user-${i}`,
        anonymous_id: null, group_id: null, previous_id: null, timestamp: at, original_timestamp: at, received_at: at, sent_at: null,
        properties: JSON.stringify(properties), traits: '{}', context, integrations,
      });
      if (withStates) folded.push({ type, event, timestamp: at, properties, context: contextObject });
      counts.events++;
    }
    await out.add('profiles', {
      workspace_id: ws, id, traits: JSON.stringify({ email: `${id}@example.com`, country, first_name: `Person ${i}` }),
      first_seen_at: firstSeen, last_seen_at: lastSeen, created_at: firstSeen, updated_at: lastSeen, merged_into: null,
      trait_state: withStates ? JSON.stringify(foldTraitState(emptyTraitState(true), folded)) : null,
    });

  }
  await out.flush();
  return counts;
}
