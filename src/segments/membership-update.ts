import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import { ageFactsOf, declaresAge, type AgeFacts } from '../privacy/minors.js';
import type { PeoplePrivacy } from '../privacy/privacy-repository.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { growsWithEvents, triggersOf, usesBehaviour, type Triggers } from './definition.js';
import { holdsFromNewEvents, MAX_NEW_EVENTS, newEventsMayChange, type KnownFacts, type NewEvent } from './event-evidence.js';
import type { ProfileFacts } from './profile-evidence.js';
import type { MembershipChange, SegmentRecord, SegmentRepository } from './segment-repository.js';

/** What one person's newly committed events were, for the real-time update. */
export interface Touch {
  /** Event names (of every new event, kept or not). */
  names: Set<string>;
  /** Any event at all. */
  anyEvent: boolean;
  /** An identify call. */
  identify: boolean;
  /** Profiles were merged into this one. */
  merged: boolean;
  /** Consent, subscriptions or the personalization switch changed (P5 and consent conditions: every segment re-checks). */
  privacy?: boolean;
  /**
   * The new events themselves, each once: all of them while fewer than `MAX_NEW_EVENTS`,
   * otherwise the first `MAX_NEW_EVENTS` (then only `names` says what else came).
   */
  events: NewEvent[];
  /**
   * The person's profile row as the ingest that queued them last wrote it (identify traits,
   * first and last seen, event counts by name when its trait state is complete): the flush
   * then reads only whether the row is still live, its event count and the memberships.
   * Absent when only their privacy changed (the row is read).
   */
  row?: Omit<ProfileFacts, 'storedEvents'>;
}

/** What a segment's condition is re-checked on, worked out once per segment record. */
type SegmentTriggers = Triggers & { grows: boolean; behaviour: boolean };
const triggersBySegment = new WeakMap<SegmentRecord, SegmentTriggers>();
function triggersFor(s: SegmentRecord): SegmentTriggers {
  let t = triggersBySegment.get(s);
  if (t === undefined) triggersBySegment.set(s, (t = { ...triggersOf(s.condition), grows: growsWithEvents(s.condition), behaviour: usesBehaviour(s.condition) }));
  return t;
}

/**
 * Whether what happened to a person can have changed a segment's condition: a merge or a
 * privacy change (every segment); any event for `first_seen` / `last_seen`; identify for
 * profile traits, consent and subscriptions; a change of a referenced segment in this update;
 * and a new event that can change one of its event or sequence conditions
 * (`newEventsMayChange`: name, window and filters) — or, when the person brought more events
 * than the touch keeps, an event of a name the condition mentions.
 */
function touches(s: SegmentRecord, t: SegmentTriggers, touch: Touch, changed: ReadonlySet<string> | undefined, now: number): boolean {
  if (touch.merged || touch.privacy === true) return true;
  if ((t.anyEvent && touch.anyEvent) || (t.identify && touch.identify)) return true;
  if (changed !== undefined && t.segments.size > 0) for (const seg of changed) if (t.segments.has(seg)) return true;
  if (t.eventNames.size === 0) return false;
  if (touch.events.length < MAX_NEW_EVENTS) return newEventsMayChange(s.condition, touch.events, now);
  for (const n of touch.names) if (t.eventNames.has(n)) return true;
  return false;
}

const NONE: ReadonlySet<string> = new Set();
const NO_CONSENT: ReadonlyMap<string, string> = new Map();

/** The privacy state with the ages the people's traits declare (the read left them out), guardian consent kept. */
function withDeclaredAges(privacy: PeoplePrivacy, profiles: ReadonlyMap<string, ProfileFacts>): PeoplePrivacy {
  let ages: Map<string, AgeFacts> | null = null;
  for (const [id, p] of profiles) {
    if (!declaresAge(p.traits)) continue;
    ages ??= new Map(privacy.ages);
    ages.set(id, ageFactsOf(p.traits, privacy.ages?.get(id)?.guardianConsent ?? false)!);
  }
  return ages === null ? privacy : { ...privacy, ages };
}

/**
 * One real-time update of the people in `touches` (see `SegmentService.updateProfiles`):
 * their current memberships, live profile rows (with how many events each has stored) and
 * privacy state are read once; then, dependency level by level, each segment their news can
 * change — every segment, for a newcomer whose stored events are all new — decides each of
 * them from what is known without a query (`holdsFromNewEvents`: new events, profile row,
 * memberships, consent) and looks up the rest with one query per segment; a level's entries
 * and exits are written in one transaction before the next level reads them.
 *
 * @example
 * await updateMemberships({ repository, traits }, { workspace, levels, touches, now, reason: 'event' });
 */
export async function updateMemberships(
  deps: { repository: SegmentRepository; traits: Pick<ComputedTraitRepository, 'privacyOf'> },
  input: { workspace: Workspace; levels: readonly SegmentRecord[][]; touches: ReadonlyMap<string, Touch>; now: number; reason: string },
): Promise<{ entered: number; exited: number; evaluations: number; decidedWithoutQuery: number }> {
  const { repository, traits } = deps;
  const { workspace, levels, touches: people, now, reason } = input;
  const ws = workspace.id;
  const result = { entered: 0, exited: 0, evaluations: 0, decidedWithoutQuery: 0 };
  if (levels.length === 0 || people.size === 0) return result;
  const ids = [...people.keys()];
  // Memberships of profiles merged into a touched one: they leave everything.
  const merged = ids.filter((id) => people.get(id)!.merged);
  const gone = merged.length === 0 ? [] : (await repository.membershipsMergedInto(ws, merged)).filter((m) => !people.has(m.profileId));
  if (gone.length > 0) {
    await repository.applyChanges(ws, gone.map((m) => ({ ...m, change: 'exited' as const })), now, 'merged');
    result.exited += gone.length;
  }
  const known = new Map<string, Omit<ProfileFacts, 'storedEvents'>>();
  for (const [id, touch] of people) if (touch.row !== undefined) known.set(id, touch.row);
  // Stored events are counted only as far as telling whether they are all new (one past the most new events anyone brought).
  let most = 0;
  for (const touch of people.values()) most = Math.max(most, touch.events.length);
  const countUpTo = Math.min(MAX_NEW_EVENTS, most + 1);
  const [{ profiles, memberships }, stored] = await Promise.all([repository.liveProfilesAmong(ws, ids, countUpTo, known), traits.privacyOf(ws, ids, { declaredAges: false })]);
  // Ages declared in traits (P11) come from the rows at hand, not from a second read of them.
  const privacy = withDeclaredAges(stored, profiles);
  let allowed: Set<string> | null = null;
  const allowedOf = () => (allowed ??= profilingAllowed(workspace, ids, privacy, now));
  const consents = new Map<string, Map<string, string>>(); // person → purpose → latest decision (the records come in ledger order)
  for (const r of privacy.consents) {
    let m = consents.get(r.profileId);
    if (m === undefined) consents.set(r.profileId, (m = new Map()));
    m.set(r.purpose, r.decision);
  }
  // One record per person with what is known of them (memberships change in place between levels).
  // Newcomers (`facts.complete`): every event stored for them is among their new events. No
  // evaluation has seen them, so every segment looks at them (a condition can hold without any
  // trigger — "never ordered"), and their event conditions can be counted exactly.
  interface Person { id: string; touch: Touch; memberOf: Set<string>; facts: Required<KnownFacts>; changed: Set<string> | undefined; mark: number }
  const persons: Person[] = [];
  for (const [id, touch] of people) {
    const n = touch.events.length;
    const profile = profiles.get(id) ?? null;
    const memberOf = memberships.get(id) ?? new Set<string>();
    const complete = n > 0 && n < MAX_NEW_EVENTS && profile?.storedEvents === n;
    persons.push({ id, touch, memberOf, facts: { profile, memberOf, consents: consents.get(id) ?? NO_CONSENT, complete }, changed: undefined, mark: -1 });
  }
  const changedPeople: Person[] = []; // people with a membership changed in this update

  // Who can be a candidate, by what they bring: a segment scans only the people its triggers name.
  const always: Person[] = []; // newcomers, merges and privacy changes: every segment
  const anyEvent: Person[] = [];
  const identified: Person[] = [];
  const byName = new Map<string, Person[]>();
  for (const p of persons) {
    const { touch } = p;
    if (p.facts.complete || touch.merged || touch.privacy === true) { always.push(p); continue; }
    if (touch.anyEvent) anyEvent.push(p);
    if (touch.identify) identified.push(p);
    for (const n of touch.names) {
      let list = byName.get(n);
      if (list === undefined) byName.set(n, (list = []));
      list.push(p);
    }
  }
  let stamp = 0;
  const candidatesOf = (t: SegmentTriggers): Person[] => {
    if (t.anyEvent) return always.length === 0 ? anyEvent : anyEvent.length === 0 ? always : [...always, ...anyEvent];
    const mark = stamp++;
    const out = always.slice();
    for (const p of always) p.mark = mark;
    const add = (list: readonly Person[]) => { for (const p of list) if (p.mark !== mark) { p.mark = mark; out.push(p); } };
    if (t.identify) add(identified);
    for (const n of t.eventNames) { const list = byName.get(n); if (list !== undefined) add(list); }
    if (t.segments.size > 0) add(changedPeople);
    return out;
  };

  for (const level of levels) {
    // Decide what is known for every segment of the level, then look the rest up together
    // (on PostgreSQL the look-ups of a level run side by side on the pool's connections).
    const plans = level.map((s) => {
      const t = triggersFor(s);
      const decided: Person[] = [];
      const holds: boolean[] = [];
      const lookUp: Person[] = [];
      for (const p of candidatesOf(t)) {
        const { touch, facts } = p;
        if (!facts.complete && !touches(s, t, touch, p.changed, now)) continue;
        // A member of a segment that only grows with events stays one (unless identify, a merge or a privacy change may have changed more).
        if (t.grows && p.memberOf.has(s.id) && !touch.identify && !touch.merged && touch.privacy !== true) continue;
        const v = holdsFromNewEvents(s.condition, touch.events, now, facts);
        if (v === null) lookUp.push(p);
        else { decided.push(p); holds.push(v); }
      }
      result.decidedWithoutQuery += decided.length;
      if (lookUp.length > 0) result.evaluations++;
      return { s, t, decided, holds, lookUp };
    });
    const found = await Promise.all(plans.map((x) => (x.lookUp.length === 0 ? NONE : repository.matchingAmong(ws, x.s.condition, x.lookUp.map((p) => p.id), now))));
    const changes: MembershipChange[] = [];
    const changedHere: Person[] = []; // the person of each change
    plans.forEach(({ s, t, decided, holds, lookUp }, i) => {
      const matching = found[i]!;
      const anyIn = matching.size > 0 || holds.includes(true);
      const ok = t.behaviour && anyIn ? allowedOf() : null;
      const consider = (p: Person, v: boolean) => {
        const inNow = v && (ok === null || ok.has(p.id));
        if (inNow === p.memberOf.has(s.id)) return;
        changes.push({ segmentId: s.id, profileId: p.id, change: inNow ? 'entered' : 'exited' });
        changedHere.push(p);
        if (p.changed === undefined) { p.changed = new Set(); changedPeople.push(p); }
        p.changed.add(s.id);
      };
      for (let k = 0; k < decided.length; k++) consider(decided[k]!, holds[k]!);
      for (const p of lookUp) consider(p, matching.has(p.id));
    });
    if (changes.length === 0) continue;
    await repository.applyChanges(ws, changes, now, reason);
    changes.forEach((c, k) => {
      const set = changedHere[k]!.memberOf;
      if (c.change === 'entered') { set.add(c.segmentId); result.entered++; } else { set.delete(c.segmentId); result.exited++; }
    });
  }
  return result;
}
