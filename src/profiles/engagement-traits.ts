import { eventCountry } from './country.js';
import type { EventInput } from './inputs.js';
import { utcDay } from './statistics.js';
import { canonicalLocale, isTimeZone, localHour } from './time-zones.js';
import type { CHANNELS, TraitValues } from './trait-registry.js';

export type Channel = (typeof CHANNELS)[number];

/** Ties between channels go to the one engaged with most recently, then to this order. */
const CHANNEL_ORDER: readonly Channel[] = ['email', 'sms', 'push', 'web', 'app'];

/**
 * Which events are engagement on which channel. Every `page` event is a web visit and
 * every `screen` event an app visit; the track events below are added to them. Email and
 * push names follow the Segment Email and Mobile specs; the SMS names are Tailor's own
 * (the Segment spec has none).
 */
export type ChannelEventNames = Readonly<Record<Channel, readonly string[]>>;

export const DEFAULT_CHANNEL_EVENTS: ChannelEventNames = {
  email: ['Email Opened', 'Email Link Clicked'],
  sms: ['SMS Link Clicked', 'SMS Replied'],
  push: ['Push Notification Tapped'],
  web: [],
  app: ['Application Opened'],
};

export interface EngagementTraits {
  /** Channel with the most distinct UTC days of engagement; null without engagement. */
  preferredChannel: Channel | null;
  /** Distinct UTC days with at least one engagement, per channel. */
  channelDays: Record<Channel, number>;
  /** Hour of day (0–23) with the most engagement events; ties go to the earlier hour. */
  preferredHour: number | null;
  /** Whether the hours were read in local time (some event or the profile had a zone) or in UTC. */
  hourBasis: 'local' | 'utc';
  /** Engagement events per hour of day, index = hour. */
  hourHistogram: number[];
  /** IANA zone from the latest event whose `context.timezone` is valid. */
  timeZone: string | null;
  /** Canonical BCP 47 tag from the latest event whose `context.locale` is valid. */
  locale: string | null;
  /** Country from the latest event that tells a valid one (`eventCountry`). */
  country: string | null;
}

function channelOf(event: EventInput, byName: ReadonlyMap<string, Channel>): Channel | null {
  if (event.type === 'page') return 'web';
  if (event.type === 'screen') return 'app';
  if (event.type === 'track' && event.event !== null) return byName.get(event.event) ?? null;
  return null;
}

/** The latest valid value an event tells; equal timestamps are settled by the larger value, so order does not matter. */
function latestValue(events: readonly EventInput[], read: (event: EventInput) => string | null): string | null {
  let best: { t: number; v: string } | null = null;
  for (const e of events) {
    const v = read(e);
    if (v === null || !Number.isFinite(e.timestamp)) continue;
    if (best === null || e.timestamp > best.t || (e.timestamp === best.t && v > best.v)) best = { t: e.timestamp, v };
  }
  return best?.v ?? null;
}

/**
 * Computes the engagement traits from a person's events (any order):
 * - preferred channel: the channel with the most distinct days of engagement (opens,
 *   clicks, visits). Days, not events, so a heavy page-viewing session does not outweigh
 *   weeks of email opens;
 * - preferred hour: the local hour of day of most engagement events, each event read in
 *   its own `context.timezone` (where the person was), else in the profile's latest time
 *   zone, else in UTC;
 * - time zone and locale: from the latest event context carrying a valid one;
 * - country: from the latest event that tells a valid one (`eventCountry`: its
 *   `context.location`, else an identify call's address or country trait).
 *
 * @example
 * computeEngagementTraits({ events });
 * // { preferredChannel: 'email', preferredHour: 20, timeZone: 'Asia/Shanghai', locale: 'zh-CN', country: 'CN', … }
 */
export function computeEngagementTraits(input: { events: readonly EventInput[]; channelEvents?: ChannelEventNames }): EngagementTraits {
  const names = input.channelEvents ?? DEFAULT_CHANNEL_EVENTS;
  const byName = new Map<string, Channel>();
  for (const channel of CHANNEL_ORDER) for (const name of names[channel]) byName.set(name, channel);

  const zoneOf = (context: EventInput['context']) => (isTimeZone(context.timezone) ? context.timezone : null);
  const timeZone = latestValue(input.events, (e) => zoneOf(e.context));
  const locale = latestValue(input.events, (e) => canonicalLocale(e.context.locale));
  const country = latestValue(input.events, eventCountry);

  const days: Record<Channel, Set<number>> = { email: new Set(), sms: new Set(), push: new Set(), web: new Set(), app: new Set() };
  const latest: Record<Channel, number> = { email: -Infinity, sms: -Infinity, push: -Infinity, web: -Infinity, app: -Infinity };
  const hourHistogram = new Array<number>(24).fill(0);
  for (const event of input.events) {
    const channel = channelOf(event, byName);
    if (channel === null || !Number.isFinite(event.timestamp)) continue;
    days[channel].add(utcDay(event.timestamp));
    latest[channel] = Math.max(latest[channel], event.timestamp);
    const zone = zoneOf(event.context) ?? timeZone ?? 'UTC';
    hourHistogram[localHour(event.timestamp, zone)]! += 1;
  }

  const channelDays = { email: days.email.size, sms: days.sms.size, push: days.push.size, web: days.web.size, app: days.app.size };
  let preferredChannel: Channel | null = null;
  for (const c of CHANNEL_ORDER) {
    if (channelDays[c] === 0) continue;
    if (preferredChannel === null || channelDays[c] > channelDays[preferredChannel]
      || (channelDays[c] === channelDays[preferredChannel] && latest[c] > latest[preferredChannel])) preferredChannel = c;
  }
  let preferredHour: number | null = null;
  hourHistogram.forEach((count, hour) => {
    if (count > 0 && (preferredHour === null || count > hourHistogram[preferredHour]!)) preferredHour = hour;
  });
  // Any event with a valid zone makes `timeZone` non-null, and then no hour was read in UTC by default.
  return { preferredChannel, channelDays, preferredHour, hourBasis: timeZone === null ? 'utc' : 'local', hourHistogram, timeZone, locale, country };
}

/**
 * The engagement traits as declared trait values.
 *
 * @example
 * engagementTraitValues(computeEngagementTraits({ events })); // { preferred_channel: 'email', preferred_hour: 20, timezone: 'Asia/Shanghai', locale: 'zh-CN', country: 'CN' }
 */
export function engagementTraitValues(traits: EngagementTraits): TraitValues {
  return { preferred_channel: traits.preferredChannel, preferred_hour: traits.preferredHour, timezone: traits.timeZone, locale: traits.locale, country: traits.country };
}

/**
 * The engagement traits kept incrementally (ingest folds each event in; the recompute job
 * then needs no events). Exact as `computeEngagementTraits` except in two documented ways:
 * - an event without a valid `context.timezone` is binned in the zone known for the person
 *   when it arrived (the batch function uses the latest zone, which may come later);
 * - each channel keeps at most `MAX_ENGAGEMENT_DAYS` distinct days; older ones are only
 *   counted, and an event older than every kept day counts as a new day (an over-count by
 *   at most one per such late event).
 */
export interface EngagementState {
  /** Per channel: kept distinct UTC day numbers, ascending, and how many older ones were dropped. */
  days: Record<Channel, { kept: number[]; dropped: number }>;
  /** Per channel: the latest engagement time. */
  latest: Record<Channel, number | null>;
  hourHistogram: number[];
  /** Latest valid time zone, locale and country, with their event times (ties: the larger value, as the batch rule). */
  timeZone: { t: number; v: string } | null;
  locale: { t: number; v: string } | null;
  /** Absent from states stored before the trait existed: `parseTraitState` reads that as null. */
  country: { t: number; v: string } | null;
}

export const MAX_ENGAGEMENT_DAYS = 400;

/** The state before any event. */
export function emptyEngagementState(): EngagementState {
  const days = {} as EngagementState['days'];
  const latest = {} as EngagementState['latest'];
  for (const c of CHANNEL_ORDER) { days[c] = { kept: [], dropped: 0 }; latest[c] = null; }
  return { days, latest, hourHistogram: new Array<number>(24).fill(0), timeZone: null, locale: null, country: null };
}

const newer = (current: { t: number; v: string } | null, t: number, v: string | null) =>
  v === null ? current : current === null || t > current.t || (t === current.t && v > current.v) ? { t, v } : current;

/**
 * Makes the engagement fold for a set of channel event names. The fold copies what it changes.
 *
 * @example
 * const fold = createEngagementFold(); const s = events.reduce(fold, emptyEngagementState());
 */
export function createEngagementFold(names: ChannelEventNames = DEFAULT_CHANNEL_EVENTS): (state: EngagementState, event: EventInput) => EngagementState {
  const byName = new Map<string, Channel>();
  for (const channel of CHANNEL_ORDER) for (const name of names[channel]) byName.set(name, channel);
  return (state, event) => {
    if (!Number.isFinite(event.timestamp)) return state;
    const zone = isTimeZone(event.context.timezone) ? event.context.timezone : null;
    const timeZone = newer(state.timeZone, event.timestamp, zone);
    const locale = newer(state.locale, event.timestamp, canonicalLocale(event.context.locale));
    const country = newer(state.country, event.timestamp, eventCountry(event));
    const channel = channelOf(event, byName);
    if (channel === null) return timeZone === state.timeZone && locale === state.locale && country === state.country ? state : { ...state, timeZone, locale, country };
    const day = utcDay(event.timestamp);
    const { kept, dropped } = state.days[channel];
    let nextDays = state.days[channel];
    if (kept.length > 0 && day < kept[0]! && dropped > 0) {
      nextDays = { kept, dropped: dropped + 1 };
    } else {
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (kept[mid]! < day) lo = mid + 1; else hi = mid; }
      if (kept[lo] !== day) {
        const next = [...kept.slice(0, lo), day, ...kept.slice(lo)];
        nextDays = next.length > MAX_ENGAGEMENT_DAYS ? { kept: next.slice(next.length - MAX_ENGAGEMENT_DAYS), dropped: dropped + next.length - MAX_ENGAGEMENT_DAYS } : { kept: next, dropped };
      }
    }
    const hourHistogram = state.hourHistogram.slice();
    hourHistogram[localHour(event.timestamp, zone ?? timeZone?.v ?? 'UTC')]! += 1;
    const last = state.latest[channel];
    return {
      days: nextDays === state.days[channel] ? state.days : { ...state.days, [channel]: nextDays },
      latest: last !== null && last >= event.timestamp ? state.latest : { ...state.latest, [channel]: event.timestamp },
      hourHistogram, timeZone, locale, country,
    };
  };
}

/** Folds one event with the default channel names. */
export const foldEngagement = createEngagementFold();

/** Combines the states of two merged profiles. */
export function mergeEngagementStates(a: EngagementState, b: EngagementState): EngagementState {
  const out = emptyEngagementState();
  for (const c of CHANNEL_ORDER) {
    const all = [...new Set([...a.days[c].kept, ...b.days[c].kept])].sort((x, y) => x - y);
    const extra = Math.max(0, all.length - MAX_ENGAGEMENT_DAYS);
    out.days[c] = { kept: all.slice(extra), dropped: a.days[c].dropped + b.days[c].dropped + extra };
    const la = a.latest[c];
    const lb = b.latest[c];
    out.latest[c] = la === null ? lb : lb === null ? la : Math.max(la, lb);
  }
  out.hourHistogram = a.hourHistogram.map((n, h) => n + (b.hourHistogram[h] ?? 0));
  out.timeZone = b.timeZone === null ? a.timeZone : newer(a.timeZone, b.timeZone.t, b.timeZone.v);
  out.locale = b.locale === null ? a.locale : newer(a.locale, b.locale.t, b.locale.v);
  out.country = b.country === null ? a.country : newer(a.country, b.country.t, b.country.v);
  return out;
}

/**
 * The engagement traits from the state, with the tie rules of `computeEngagementTraits`.
 *
 * @example
 * engagementFromState(state).preferredChannel; // 'email'
 */
export function engagementFromState(state: EngagementState): EngagementTraits {
  const channelDays = {} as Record<Channel, number>;
  for (const c of CHANNEL_ORDER) channelDays[c] = state.days[c].kept.length + state.days[c].dropped;
  let preferredChannel: Channel | null = null;
  for (const c of CHANNEL_ORDER) {
    if (channelDays[c] === 0) continue;
    if (preferredChannel === null || channelDays[c] > channelDays[preferredChannel]
      || (channelDays[c] === channelDays[preferredChannel] && (state.latest[c] ?? -Infinity) > (state.latest[preferredChannel] ?? -Infinity))) preferredChannel = c;
  }
  let preferredHour: number | null = null;
  state.hourHistogram.forEach((count, hour) => {
    if (count > 0 && (preferredHour === null || count > state.hourHistogram[preferredHour]!)) preferredHour = hour;
  });
  const timeZone = state.timeZone?.v ?? null;
  return { preferredChannel, channelDays, preferredHour, hourBasis: timeZone === null ? 'utc' : 'local', hourHistogram: [...state.hourHistogram], timeZone, locale: state.locale?.v ?? null, country: state.country?.v ?? null };
}
