import type { RequestContext } from '../contracts/recommendation.js';
import type { PersonRecord } from './recommendation-repository.js';
import type { InteractionList } from './packed.js';

const NOTHING_BOUGHT: ReadonlyMap<string, number> = new Map();

/** What serving knows about the person (read fresh for every request by the service). */
export interface PersonSignals {
  /** Every item the person bought, with when they last bought it (may reach further back than `interactions`). */
  purchased?: ReadonlyMap<string, number>;
  /** Purchases (order lines), cart adds and views, newest last or in any order. */
  interactions: InteractionList;
  /**
   * Phrases the person's taste or intent is known by: declared preferences (the
   * `preferences` trait, e.g. from a sign-up questionnaire), or what they searched for or
   * the campaign that brought them (UTM term and campaign, the referrer's search terms).
   */
  preferences: ReadonlyArray<{ phrase: string; source: 'declared' | 'search' | 'campaign' }>;
  region: string | null;
  /** Device type of this request (`mobile`, `desktop`…). */
  device: string | null;
  timezone: string | null;
  segments: ReadonlyArray<{ id: string; name: string }>;
  /** Per item: times shown within the placement's fatigue window, and whether the person responded since. */
  exposures: ExposureCounts;
}

/** An item's packed count (showings × 2, plus 1 once answered) as the object callers read. */
const unpacked = (c: number): { shown: number; responded: boolean } => ({ shown: c >>> 1, responded: (c & 1) === 1 });

/**
 * Per item, how often it was shown to a person in a window and whether they responded to it
 * in that time; with the catalog positions of the items shown at least a given number of
 * times without a response (what fatigue excludes), worked out once and then kept up as
 * more showings are counted.
 *
 * Kept for every person in serving's cache, so each item's count is one small integer in a
 * map (showings × 2, plus 1 once answered), not an object: a warm server holds hundreds of
 * thousands of these, and objects would be work for every full garbage collection.
 *
 * @example
 * const x = new ExposureCounts([['mug', { shown: 2, responded: false }]]);
 * x.countShown('mug', now); x.fatigued(catalog.index, 3); // Set { position of 'mug' }
 */
export class ExposureCounts {
  readonly #counts = new Map<string, number>();
  /**
   * The time of the oldest showing or response counted (Infinity when none): the counts stay
   * right, as the window moves on, until its start passes this.
   */
  oldestCounted = Infinity;
  #fatigue: { index: ReadonlyMap<string, number>; threshold: number; positions: Set<number> } | null = null;

  constructor(entries: Iterable<readonly [string, { shown: number; responded: boolean }]> = []) {
    for (const [itemId, x] of entries) this.#counts.set(itemId, x.shown * 2 + (x.responded ? 1 : 0));
  }

  /** Items counted. */
  get size(): number {
    return this.#counts.size;
  }

  /** An item's count (a new object each call: for reading, not for keeping). */
  get(itemId: string): { shown: number; responded: boolean } | undefined {
    const c = this.#counts.get(itemId);
    return c === undefined ? undefined : unpacked(c);
  }

  *[Symbol.iterator](): IterableIterator<[string, { shown: number; responded: boolean }]> {
    for (const [itemId, c] of this.#counts) yield [itemId, unpacked(c)];
  }

  /** Counts one more showing of an item at time `at` (`responded` marks it answered in the window). */
  countShown(itemId: string, at: number, responded = false): void {
    if (at < this.oldestCounted) this.oldestCounted = at;
    const shown = (this.#counts.get(itemId) ?? 0) + 2;
    const count = responded ? shown | 1 : shown;
    this.#counts.set(itemId, count);
    const f = this.#fatigue;
    if (f === null || (count & 1) === 1 || count >>> 1 < f.threshold) return;
    const p = f.index.get(itemId);
    if (p !== undefined) f.positions.add(p);
  }

  /** Catalog positions (in `index`) of the items shown at least `threshold` times without a response. */
  fatigued(index: ReadonlyMap<string, number>, threshold: number): ReadonlySet<number> {
    const f = this.#fatigue;
    if (f !== null && f.index === index && f.threshold === threshold) return f.positions;
    const positions = new Set<number>();
    for (const [itemId, c] of this.#counts) {
      if ((c & 1) === 1 || c >>> 1 < threshold) continue;
      const p = index.get(itemId);
      if (p !== undefined) positions.add(p);
    }
    this.#fatigue = { index, threshold, positions };
    return positions;
  }
}

/** Query parameters search engines and shops put search terms in (Google `q`, Baidu `wd`/`word`, Yahoo `p`, Yandex `text`…). */
const SEARCH_PARAMETERS = ['q', 'query', 'wd', 'word', 'p', 'text', 'keyword', 'keywords', 'search', 'search_query', 'k'];
/** Most phrases taken from each source. */
const MAX_PHRASES = 10;

/**
 * What serving may use about a person whose personalization the policy allows: their record
 * (history, declared preferences, computed country and time zone, segments, what they were
 * shown) and the request's context (region, device, locale, time zone, the campaign and
 * search that brought them). `record` is null for a person Tailor does not know yet.
 *
 * The `preferences` trait is a list of phrases (`["low sugar", "coffee"]`) or one string of
 * comma-separated phrases (README "Recommendations").
 *
 * @example
 * personSignals({ record, context: { device: 'mobile', utm: { term: 'oat milk' } }, now });
 */
export function personSignals(input: { record: PersonRecord | null; context: RequestContext; now: number; exposuresSince?: number; exposures?: PersonSignals['exposures'] }): PersonSignals {
  const { record, context } = input;
  const preferences: Array<{ phrase: string; source: 'declared' | 'search' | 'campaign' }> = [];
  for (const phrase of phrasesOf(record?.traits.preferences)) preferences.push({ phrase, source: 'declared' });
  if (context.utm?.term !== undefined) for (const phrase of phrasesOf(context.utm.term)) preferences.push({ phrase, source: 'search' });
  for (const phrase of referrerSearch(context.referrer)) preferences.push({ phrase, source: 'search' });
  if (context.utm?.campaign !== undefined) {
    // Campaign names are slugs ("summer_coffee_sale"): each longer word may name a product kind.
    for (const word of context.utm.campaign.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4).slice(0, MAX_PHRASES)) preferences.push({ phrase: word, source: 'campaign' });
  }
  const address = record?.traits.address;
  const region = text(context.region)
    ?? text(record?.computed.country)
    ?? (typeof address === 'object' && address !== null ? text((address as Record<string, unknown>).country) : null)
    ?? text(record?.traits.country)
    ?? localeRegion(context.locale);
  const exposures = input.exposures ?? exposuresOf(record, input.exposuresSince ?? -Infinity);
  return {
    interactions: record?.interactions ?? [],
    purchased: record?.purchased ?? NOTHING_BOUGHT,
    preferences,
    region,
    device: context.device === undefined ? null : context.device.trim().toLowerCase() || null,
    timezone: text(context.timezone) ?? text(record?.computed.timezone) ?? null,
    segments: record?.segments ?? [],
    exposures,
  };
}

/**
 * Per item, how often it was shown to the person since `since` and whether they responded to
 * it in that time (click, cart add or purchase): what fatigue reads. The counts hold for any
 * later window start up to `oldestCounted` (showings counted later with `countShown` are newer).
 *
 * @example
 * exposuresOf(record, now - 30 * 86_400_000).get('mug'); // { shown: 3, responded: false }
 */
export function exposuresOf(record: PersonRecord | null, since: number): ExposureCounts {
  const exposures = new ExposureCounts();
  const responded = new Set<string>();
  for (const r of record?.responded ?? []) {
    if (r.at < since) continue;
    responded.add(r.itemId);
    if (r.at < exposures.oldestCounted) exposures.oldestCounted = r.at;
  }
  const shown = record?.shown ?? { itemIds: [], times: [] };
  for (let k = 0; k < shown.itemIds.length; k++) {
    const at = shown.times[k]!;
    if (at < since) continue;
    const itemId = shown.itemIds[k]!;
    exposures.countShown(itemId, at, responded.has(itemId));
  }
  return exposures;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Phrases from a list of strings or a comma-separated string. */
function phrasesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '' && v.length <= 100).slice(0, MAX_PHRASES);
}

/**
 * Search terms in a referrer URL (`https://www.google.com/search?q=oat+milk` → `oat milk`).
 *
 * @example
 * referrerSearch('https://www.baidu.com/s?wd=%E5%92%96%E5%95%A1'); // ['咖啡']
 */
export function referrerSearch(referrer: string | undefined): string[] {
  if (referrer === undefined) return [];
  let url: URL;
  try {
    url = new URL(referrer);
  } catch {
    return [];
  }
  for (const name of SEARCH_PARAMETERS) {
    const value = url.searchParams.get(name);
    if (value !== null && value.trim() !== '') return phrasesOf(value);
  }
  return [];
}

/** The region subtag of a BCP 47 locale (`en-GB` → `GB`), or null. */
function localeRegion(locale: string | undefined): string | null {
  if (locale === undefined) return null;
  try {
    return new Intl.Locale(locale).region ?? null;
  } catch {
    return null;
  }
}
