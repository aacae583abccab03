import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * A guardian's consent for a minor (PRIVACY.md P11): until it is recorded, personalization,
 * profiling and marketing stay off for a person under the workspace's age threshold. Kept with
 * the person's other switch (`privacy_switches`), with where it came from and when; every
 * change is also in the audit log.
 */
export function guardianConsent(f: DialectFeatures) {
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('privacy_switches').addColumn('guardian_consent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('privacy_switches').addColumn('guardian_source', 'text').execute();
      await db.schema.alterTable('privacy_switches').addColumn('guardian_changed_at', big).execute();
    },
  };
}
