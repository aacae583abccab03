import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * The foundation: workspaces, keys, profiles and identities, events, catalog, orders, imports.
 * Every table's primary key starts with workspace_id (DESIGN.md "Storage").
 */
export function foundation(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  const float = sql.raw(f.floatType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('settings', json, (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();

      await db.schema.createTable('api_keys')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('scopes', json, (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('revoked_at', big)
        .addPrimaryKeyConstraint('api_keys_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('api_keys_hash').on('api_keys').column('hash').unique().execute();

      await db.schema.createTable('profiles')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('traits', json, (c) => c.notNull())
        .addColumn('first_seen_at', big, (c) => c.notNull())
        .addColumn('last_seen_at', big, (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('merged_into', 'text')
        .addPrimaryKeyConstraint('profiles_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('profiles_last_seen').on('profiles').columns(['workspace_id', 'last_seen_at']).execute();

      await db.schema.createTable('identities')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', big, (c) => c.notNull())
        .addColumn('source_message_id', 'text')
        .addPrimaryKeyConstraint('identities_pk', ['workspace_id', 'type', 'value'])
        .execute();
      await db.schema.createIndex('identities_profile').on('identities').columns(['workspace_id', 'profile_id']).execute();

      await db.schema.createTable('identity_merges')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('from_profile_id', 'text', (c) => c.notNull())
        .addColumn('into_profile_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('identifier_type', 'text', (c) => c.notNull())
        .addColumn('identifier_value', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('merged_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_merges_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('identity_merges_into').on('identity_merges').columns(['workspace_id', 'into_profile_id']).execute();
      await db.schema.createIndex('identity_merges_from').on('identity_merges').columns(['workspace_id', 'from_profile_id']).execute();

      await db.schema.createTable('identity_conflicts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('other_profile_id', 'text')
        .addColumn('identifier_type', 'text', (c) => c.notNull())
        .addColumn('identifier_value', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('recorded_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_conflicts_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('identity_conflicts_profile').on('identity_conflicts').columns(['workspace_id', 'profile_id']).execute();

      await db.schema.createTable('events')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('event', 'text')
        .addColumn('name', 'text')
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('anonymous_id', 'text')
        .addColumn('group_id', 'text')
        .addColumn('previous_id', 'text')
        .addColumn('timestamp', big, (c) => c.notNull())
        .addColumn('original_timestamp', big)
        .addColumn('received_at', big, (c) => c.notNull())
        .addColumn('sent_at', big)
        .addColumn('properties', json, (c) => c.notNull())
        .addColumn('traits', json, (c) => c.notNull())
        .addColumn('context', json, (c) => c.notNull())
        .addColumn('integrations', json, (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['workspace_id', 'message_id'])
        .execute();
      await db.schema.createIndex('events_profile_time').on('events').columns(['workspace_id', 'profile_id', 'timestamp']).execute();
      await db.schema.createIndex('events_name_time').on('events').columns(['workspace_id', 'event', 'timestamp']).execute();

      await db.schema.createTable('catalog_items')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category_path', json, (c) => c.notNull())
        .addColumn('brand', 'text')
        .addColumn('price', float)
        .addColumn('currency', 'text')
        .addColumn('tags', json, (c) => c.notNull())
        .addColumn('attributes', json, (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('image_url', 'text')
        .addColumn('in_stock', 'integer', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_items_pk', ['workspace_id', 'item_id'])
        .execute();

      await db.schema.createTable('orders')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('revenue', float, (c) => c.notNull())
        .addColumn('total', float, (c) => c.notNull())
        .addColumn('discount', float, (c) => c.notNull())
        .addColumn('refunded_amount', float, (c) => c.notNull())
        .addColumn('coupon', 'text')
        .addColumn('placed_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addPrimaryKeyConstraint('orders_pk', ['workspace_id', 'order_id'])
        .execute();
      await db.schema.createIndex('orders_profile_time').on('orders').columns(['workspace_id', 'profile_id', 'placed_at']).execute();

      await db.schema.createTable('order_items')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('category', 'text')
        .addColumn('price', float, (c) => c.notNull())
        .addColumn('quantity', float, (c) => c.notNull())
        .addPrimaryKeyConstraint('order_items_pk', ['workspace_id', 'order_id', 'line'])
        .execute();
      await db.schema.createIndex('order_items_item').on('order_items').columns(['workspace_id', 'item_id']).execute();

      await db.schema.createTable('import_runs')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('position', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('summary', json, (c) => c.notNull())
        .addColumn('started_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('import_runs_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('import_runs_fingerprint').on('import_runs').columns(['workspace_id', 'kind', 'fingerprint']).execute();
    },
  };
}
