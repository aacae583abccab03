import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import { ageFactsOf, declaresAge, type AgeFacts } from '../privacy/minors.js';
import type { PeoplePrivacy } from '../privacy/privacy-repository.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { growsWithEvents, requiredEventNames, triggersOf, usesBehaviour, type Triggers } from './definition.js';
import { compileEvidence, MAX_NEW_EVENTS, type Evidence, type KnownFacts, type NewEvent } from './event-evidence.js';
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
   * first and last seen; event counts by name and the number of stored events when its trait
   * state is complete): the flush then reads only whether the row is still live, the
   * memberships, and the event count when the row does not have it.
   * Absent when only their privacy changed (the row is read).
   */
  row?: ProfileFacts;
}

/** What a segment's condition is re-checked on, worked out once per segment record. */
type SegmentTriggers = Triggers & { grows: boolean; behaviour: boolean; needs: ReadonlySet<string> | null };
const triggersBySegment = new WeakMap<SegmentRecord, SegmentTriggers>();
function triggersFor(s: SegmentRecord): SegmentTriggers {
  let t = triggersBySegment.get(s);
  if (t === undefined) triggersBySegment.set(s, (t = { ...triggersOf(s.condition), grows: growsWithEvents(s.condition), behaviour: usesBehaviour(s.condition), needs: requiredEventNames(s.condition) }));
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
function touches(evidence: Evidence, t: SegmentTriggers, p: Person): boolean {
  const { touch, changed } = p;
  if (p.wide) return true;
  if ((t.anyEvent && touch.anyEvent) || (t.identify && p.identify)) return true;
  if (changed !== undefined && t.segments.size > 0) for (const seg of changed) if (t.segments.has(seg)) return true;
  if (t.eventNames.size === 0) return false;
  if (p.events.length < MAX_NEW_EVENTS) return evidence.mayChange(p.events);
  for (const n of touch.names) if (t.eventNames.has(n)) return true;
  return false;
}

/**
 * One person of an update with what is known of them (memberships change in place between
 * levels); the touch's flags copied so the loop over people and segments reads one shape.
 */
interface Person {
  id: string;
  touch: Touch;
  events: NewEvent[];
  /** An identify call. */
  identify: boolean;
  /** A merge or a privacy change: every segment looks again. */
  wide: boolean;
  memberOf: Set<string>;
  facts: Required<KnownFacts>;
  /** Segments this person's membership changed in, in this update. */
  changed: Set<string> | undefined;
}

/** Whether any of a person's event names is one of `names`. */
function sendsAny(sent: ReadonlySet<string>, names: ReadonlySet<string>): boolean {
  for (const n of sent) if (names.has(n)) return true;
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
 * change — for a newcomer whose stored events are all new, every segment they can be in —
 * decides each of them from what is known without a query (`compileEvidence`: new events,
 * profile row, memberships, consent) and looks up the rest with one query per segment; a level's entries
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
  const merged: string[] = [];
  for (const [id, touch] of people) if (touch.merged) merged.push(id);
  const gone = merged.length === 0 ? [] : (await repository.membershipsMergedInto(ws, merged)).filter((m) => !people.has(m.profileId));
  if (gone.length > 0) {
    await repository.applyChanges(ws, gone.map((m) => ({ ...m, change: 'exited' as const })), now, 'merged');
    result.exited += gone.length;
  }
  const known = new Map<string, ProfileFacts>();
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
  const persons: Person[] = [];
  for (const [id, touch] of people) {
    const n = touch.events.length;
    const profile = profiles.get(id) ?? null;
    const memberOf = memberships.get(id) ?? new Set<string>();
    const complete = n > 0 && n < MAX_NEW_EVENTS && profile?.storedEvents === n;
    const facts = { profile, memberOf, consents: consents.get(id) ?? NO_CONSENT, complete };
    persons.push({ id, touch, events: touch.events, identify: touch.identify, wide: touch.merged || touch.privacy === true, memberOf, facts, changed: undefined });
  }

  // Person by person (their records stay in cache while every segment of a level looks at
  // them), each segment decides what it can without a query; the rest are looked up together.
  // Which people a segment looks at: a newcomer in no segment yet can only enter one, so only
  // the segments its events can satisfy (`requiredEventNames`: a segment that needs an event of
  // a name the newcomer never sent cannot hold for them); other newcomers, merges and privacy
  // changes, every segment; anyone else, the segments their news can change (`touches`).
  const record = (changes: MembershipChange[], changedHere: Person[], p: Person, segmentId: string, inNow: boolean) => {
    changes.push({ segmentId, profileId: p.id, change: inNow ? 'entered' : 'exited' });
    changedHere.push(p);
  };
  for (const level of levels) {
    const plans = level.map((s) => ({ s, id: s.id, t: triggersFor(s), evidence: compileEvidence(s.condition, now), lookUp: [] as Person[] }));
    // A person's memberships among the level's segments, by position (one scratch array, set and cleared per person).
    const position = new Map(plans.map((x, i) => [x.id, i]));
    const member = new Uint8Array(plans.length);
    const changes: MembershipChange[] = [];
    const changedHere: Person[] = []; // the person of each change
    for (const p of persons) {
      const { facts, memberOf } = p;
      const newcomer = facts.complete && !p.wide && memberOf.size === 0;
      let allowed: boolean | undefined; // whether the policy lets this person be profiled (P5), asked once
      for (const id of memberOf) { const i = position.get(id); if (i !== undefined) member[i] = 1; }
      for (let i = 0; i < plans.length; i++) {
        const plan = plans[i]!;
        const { t } = plan;
        if (newcomer) {
          if (t.needs !== null && !sendsAny(p.touch.names, t.needs)) continue;
        } else if (!facts.complete && !touches(plan.evidence, t, p)) continue;
        const isMember = member[i] === 1;
        // A member of a segment that only grows with events stays one (unless identify, a merge or a privacy change may have changed more).
        if (isMember && t.grows && !p.identify && !p.wide) continue;
        const v = plan.evidence.holds(p.events, facts);
        if (v === null) { plan.lookUp.push(p); continue; }
        result.decidedWithoutQuery++;
        const inNow = v && (!t.behaviour || (allowed ??= allowedOf().has(p.id)));
        if (inNow !== isMember) record(changes, changedHere, p, plan.id, inNow);
      }
      member.fill(0);
    }
    // On PostgreSQL the look-ups of a level run side by side on the pool's connections.
    const found = await Promise.all(plans.map((x) => (x.lookUp.length === 0 ? NONE : repository.matchingAmong(ws, x.s.condition, x.lookUp.map((p) => p.id), now))));
    plans.forEach(({ id, t, lookUp }, i) => {
      if (lookUp.length === 0) return;
      result.evaluations++;
      const matching = found[i]!;
      for (const p of lookUp) {
        const inNow = matching.has(p.id) && (!t.behaviour || allowedOf().has(p.id));
        if (inNow !== p.memberOf.has(id)) record(changes, changedHere, p, id, inNow);
      }
    });
    if (changes.length === 0) continue;
    await repository.applyChanges(ws, changes, now, reason);
    changes.forEach((c, k) => {
      const p = changedHere[k]!;
      if (c.change === 'entered') { p.memberOf.add(c.segmentId); result.entered++; } else { p.memberOf.delete(c.segmentId); result.exited++; }
      (p.changed ??= new Set()).add(c.segmentId);
    });
  }
  return result;
}
