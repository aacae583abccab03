import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Privacy: consent and subscription ledgers (append-only), the personalization switch,
 * the hash-chained audit log, the erasure suppression list and reports, workspace secrets.
 */
export function privacy(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('consent_records')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('notice_version', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('method', 'text')
        .addColumn('jurisdiction', 'text', (c) => c.notNull())
        .addColumn('recorded_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('consent_records_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('consent_records_profile').on('consent_records').columns(['workspace_id', 'profile_id', 'recorded_at']).execute();

      await db.schema.createTable('subscription_records')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('subscription_records_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('subscription_records_profile').on('subscription_records').columns(['workspace_id', 'profile_id', 'recorded_at']).execute();

      await db.schema.createTable('privacy_switches')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('personalization_off', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('privacy_switches_pk', ['workspace_id', 'profile_id'])
        .execute();

      await db.schema.createTable('audit_log')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('details', json, (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_log_pk', ['workspace_id', 'seq'])
        .execute();
      await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['workspace_id', 'subject', 'seq']).execute();

      await db.schema.createTable('suppressions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('suppressions_pk', ['workspace_id', 'hash'])
        .execute();

      // Not `profile_id`: erasure deletes from every table with that column, and this record must stay.
      await db.schema.createTable('erasure_reports')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('erased_profile_id', 'text', (c) => c.notNull())
        .addColumn('report', json, (c) => c.notNull())
        .addColumn('completed_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('erasure_reports_pk', ['workspace_id', 'id'])
        .execute();

      await db.schema.createTable('workspace_secrets')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('workspace_secrets_pk', ['workspace_id', 'name'])
        .execute();
    },
  };
}
