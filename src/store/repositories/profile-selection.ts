import { sql, type Expression, type SqlBool } from 'kysely';
import { chunkRows } from './chunk.js';

/** How the profile ids given to a read were chosen (see `ReadOptions` in profiles/computed-trait-repository.ts). */
export interface SelectionOptions {
  /** The ids are one page of live profiles: consecutive, in ascending order. */
  page?: boolean;
}

/**
 * How a read picks these profiles on a profile-id column: the conditions, one statement each,
 * and which of the rows they return to keep. For a page (`page: true`) its id range in one
 * condition — one index range scan; on PostgreSQL about a twentieth of the server time of a
 * thousand-id `in` list for orders — whose rows of other profiles in the range (merged ones)
 * `keeps` drops; otherwise `in` lists within the parameter limit, every row kept.
 *
 * @example
 * const { conditions, keeps } = profileSelection(ids, { page: true }, max);
 * for (const condition of conditions) for (const r of await db.selectFrom('orders').selectAll().where((eb) => condition(eb.ref('profile_id'))).execute()) if (keeps(r.profile_id)) …
 */
export function profileSelection(profileIds: readonly string[], options: SelectionOptions, maxParameters: number): { conditions: Array<(column: Expression<string | null>) => Expression<SqlBool>>; keeps: (profileId: string) => boolean } {
  const [first, last] = [profileIds[0], profileIds[profileIds.length - 1]];
  if (first === undefined || last === undefined) return { conditions: [], keeps: () => false };
  if (options.page === true) {
    const wanted = new Set(profileIds);
    return { conditions: [(column) => sql<SqlBool>`${column} >= ${first} and ${column} <= ${last}`], keeps: (id) => wanted.has(id) };
  }
  return { conditions: chunkRows(profileIds, 1, maxParameters - 2).map((chunk) => (column) => sql<SqlBool>`${column} in (${sql.join(chunk)})`), keeps: () => true };
}
