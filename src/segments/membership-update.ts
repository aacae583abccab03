import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { growsWithEvents, triggersOf, usesBehaviour, type Triggers } from './definition.js';
import { holdsFromNewEvents, MAX_NEW_EVENTS, newEventsMayChange, type KnownFacts, type NewEvent } from './event-evidence.js';
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
  const [memberships, profiles, privacy] = await Promise.all([repository.membershipsOf(ws, ids), repository.liveProfilesAmong(ws, ids, MAX_NEW_EVENTS), traits.privacyOf(ws, ids)]);
  let allowed: Set<string> | null = null;
  const allowedOf = () => (allowed ??= profilingAllowed(workspace, ids, privacy, now));
  const consents = new Map<string, Map<string, string>>(); // person → purpose → latest decision (the records come in ledger order)
  for (const r of privacy.consents) {
    let m = consents.get(r.profileId);
    if (m === undefined) consents.set(r.profileId, (m = new Map()));
    m.set(r.purpose, r.decision);
  }
  const changedFor = new Map<string, Set<string>>(); // person → segments whose membership changed in this update
  // Newcomers: every event stored for them is among their new events. No evaluation has seen
  // them, so every segment looks at them (a condition can hold without any trigger — "never
  // ordered"), and their event conditions can be counted exactly.
  const complete = new Set<string>();
  for (const [id, touch] of people) {
    const n = touch.events.length;
    if (n > 0 && n < MAX_NEW_EVENTS && profiles.get(id)?.storedEvents === n) complete.add(id);
  }

  // What is known of each person, one object for every segment (memberships change in place between levels).
  const facts = new Map<string, Required<KnownFacts>>();
  const factsOf = (id: string): Required<KnownFacts> => {
    let f = facts.get(id);
    if (f === undefined) {
      let memberOf = memberships.get(id);
      if (memberOf === undefined) memberships.set(id, (memberOf = new Set()));
      facts.set(id, (f = { profile: profiles.get(id) ?? null, memberOf, consents: consents.get(id) ?? NO_CONSENT, complete: complete.has(id) }));
    }
    return f;
  };

  // Who can be a candidate, by what they bring: a segment scans only the people its triggers name.
  const always: string[] = []; // newcomers, merges and privacy changes: every segment
  const anyEvent: string[] = [];
  const identified: string[] = [];
  const byName = new Map<string, string[]>();
  for (const [id, touch] of people) {
    if (complete.has(id) || touch.merged || touch.privacy === true) { always.push(id); continue; }
    if (touch.anyEvent) anyEvent.push(id);
    if (touch.identify) identified.push(id);
    for (const n of touch.names) {
      let list = byName.get(n);
      if (list === undefined) byName.set(n, (list = []));
      list.push(id);
    }
  }
  const candidatesOf = (s: SegmentRecord, t: SegmentTriggers): Iterable<string> => {
    if (t.anyEvent) return [...always, ...anyEvent];
    const out = new Set(always);
    if (t.identify) for (const id of identified) out.add(id);
    for (const n of t.eventNames) for (const id of byName.get(n) ?? []) out.add(id);
    if (t.segments.size > 0) for (const id of changedFor.keys()) out.add(id);
    return out;
  };

  for (const level of levels) {
    // Decide what is known for every segment of the level, then look the rest up together
    // (on PostgreSQL the look-ups of a level run side by side on the pool's connections).
    const plans = level.map((s) => {
      const t = triggersFor(s);
      const decided = new Map<string, boolean>();
      const lookUp: string[] = [];
      for (const id of candidatesOf(s, t)) {
        const touch = people.get(id)!;
        const newcomer = complete.has(id);
        if (!newcomer && !touches(s, t, touch, changedFor.get(id), now)) continue;
        const known = factsOf(id);
        // A member of a segment that only grows with events stays one (unless identify, a merge or a privacy change may have changed more).
        if (t.grows && known.memberOf.has(s.id) && !touch.identify && !touch.merged && touch.privacy !== true) continue;
        const v = holdsFromNewEvents(s.condition, touch.events, now, known);
        if (v === null) lookUp.push(id);
        else decided.set(id, v);
      }
      result.decidedWithoutQuery += decided.size;
      if (lookUp.length > 0) result.evaluations++;
      return { s, t, decided, lookUp };
    });
    const found = await Promise.all(plans.map((x) => (x.lookUp.length === 0 ? NONE : repository.matchingAmong(ws, x.s.condition, x.lookUp, now))));
    const changes: MembershipChange[] = [];
    plans.forEach(({ s, t, decided, lookUp }, i) => {
      const matching = found[i]!;
      let anyIn = matching.size > 0;
      if (!anyIn) for (const v of decided.values()) if (v) { anyIn = true; break; }
      const ok = t.behaviour && anyIn ? allowedOf() : null;
      const consider = (p: string, holds: boolean) => {
        const inNow = holds && (ok === null || ok.has(p));
        if (inNow === (memberships.get(p)?.has(s.id) === true)) return;
        changes.push({ segmentId: s.id, profileId: p, change: inNow ? 'entered' : 'exited' });
        let set = changedFor.get(p);
        if (set === undefined) changedFor.set(p, (set = new Set()));
        set.add(s.id);
      };
      for (const [p, v] of decided) consider(p, v);
      for (const p of lookUp) consider(p, matching.has(p));
    });
    if (changes.length === 0) continue;
    await repository.applyChanges(ws, changes, now, reason);
    for (const c of changes) {
      let set = memberships.get(c.profileId);
      if (set === undefined) memberships.set(c.profileId, (set = new Set()));
      if (c.change === 'entered') { set.add(c.segmentId); result.entered++; } else { set.delete(c.segmentId); result.exited++; }
    }
  }
  return result;
}
