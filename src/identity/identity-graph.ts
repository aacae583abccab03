import { identifierKey, type Identifier } from './identifiers.js';

/**
 * An in-memory working copy of the part of a workspace's identity graph that a batch of
 * events can touch: who owns each identifier, and each profile's identifiers. Resolution
 * reads and changes it; the ingest service then writes the changes in one transaction.
 *
 * @example
 * const g = new IdentityGraph([{ type: 'user_id', value: 'u1', profileId: 'p1' }]);
 * g.ownerOf({ type: 'user_id', value: 'u1' }); // 'p1'
 */
export class IdentityGraph {
  private readonly owners = new Map<string, string>();
  private readonly byProfile = new Map<string, Identifier[]>();
  private readonly mergedInto = new Map<string, string>();

  constructor(rows: Iterable<{ type: string; value: string; profileId: string }> = []) {
    for (const row of rows) this.attach(row.profileId, { type: row.type, value: row.value });
  }

  /** The surviving profile that owns `id`, if any. */
  ownerOf(id: Identifier): string | undefined {
    const owner = this.owners.get(identifierKey(id));
    return owner === undefined ? undefined : this.canonical(owner);
  }

  /** The identifiers a (surviving) profile holds. */
  identifiersOf(profileId: string): readonly Identifier[] {
    return this.byProfile.get(this.canonical(profileId)) ?? [];
  }

  /** The profile that `profileId` ended up in after merges (itself when never merged). */
  canonical(profileId: string): string {
    let current = profileId;
    for (let next = this.mergedInto.get(current); next !== undefined; next = this.mergedInto.get(current)) current = next;
    return current;
  }

  /** Declares a profile with no identifiers yet. */
  addProfile(profileId: string): void {
    if (!this.byProfile.has(profileId)) this.byProfile.set(profileId, []);
  }

  /** Gives `id` to `profileId`. */
  attach(profileId: string, id: Identifier): void {
    const list = this.byProfile.get(profileId);
    if (list === undefined) this.byProfile.set(profileId, [id]);
    else list.push(id);
    this.owners.set(identifierKey(id), profileId);
  }

  /** Moves every identifier of `from` to `into` and remembers that `from` is now `into`. */
  merge(from: string, into: string): void {
    const moving = this.byProfile.get(from) ?? [];
    for (const id of moving) this.attach(into, id);
    this.byProfile.delete(from);
    this.mergedInto.set(from, into);
  }
}
