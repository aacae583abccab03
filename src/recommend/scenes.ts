import type { RequestContext, Scene } from '../contracts/recommendation.js';
import type { CatalogIndex } from './catalog-index.js';
import { zoneFormatter } from '../shared/zone-formatters.js';

/**
 * Scenes (the seeds: office, commute, home, workout, late night): workspace data that maps
 * the moment to needs. A scene applies when the request names it, or when every condition of
 * its `when` holds for the request's context; its boosts multiply the scores of matching
 * items and its exclusions remove items. Conditions on time are read in the request's time
 * zone (the caller's, else the person's, else UTC).
 */

/** The moment a recommendation is for, as scenes read it. */
export interface Moment {
  /** Local hour 0–23. */
  hour: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Month 1–12. */
  month: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/**
 * Hour, weekday and month of a time in an IANA zone (UTC when the zone is unknown).
 *
 * @example
 * momentAt(Date.parse('2024-07-01T12:30:00Z'), 'Asia/Shanghai'); // { hour: 20, weekday: 1, month: 7 }
 */
export function momentAt(ms: number, zone: string | null): Moment {
  const formatter = zoneFormatter('moment', zone ?? 'UTC');
  if (formatter === null) return momentAt(ms, 'UTC');
  let hour = 0;
  let weekday = 1;
  let month = 1;
  for (const part of formatter.formatToParts(ms)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 1;
    else if (part.type === 'month') month = Number(part.value);
  }
  return { hour, weekday, month };
}

const same = (list: readonly string[] | undefined, value: string | undefined): boolean =>
  list === undefined || (value !== undefined && list.some((v) => v.trim().toLowerCase() === value.trim().toLowerCase()));

/**
 * Whether a scene's conditions hold. A scene with no condition applies only when named.
 *
 * @example
 * sceneHolds({ scene, context: { activity: 'workout' }, moment: { hour: 19, weekday: 2, month: 5 } });
 */
export function sceneHolds(input: { scene: Scene; context: RequestContext; moment: Moment }): boolean {
  const { when } = input.scene;
  const { context, moment } = input;
  if (Object.keys(when).length === 0) return false;
  if (when.hours !== undefined) {
    const [from, to] = when.hours;
    const inside = from <= to ? moment.hour >= from && moment.hour < to : moment.hour >= from || moment.hour < to;
    if (!inside) return false;
  }
  if (when.weekdays !== undefined && !when.weekdays.includes(moment.weekday)) return false;
  if (when.months !== undefined && !when.months.includes(moment.month)) return false;
  return same(when.device, context.device) && same(when.locationType, context.locationType)
    && same(when.activity, context.activity) && same(when.weather, context.weather);
}

/**
 * The scenes that apply to a request: the one it names (when the workspace has it) and
 * every scene whose conditions hold. Returns them in the workspace's order.
 *
 * @example
 * activeScenes({ scenes, context: { scene: 'office' }, moment });
 */
export function activeScenes(input: { scenes: readonly Scene[]; context: RequestContext; moment: Moment }): Scene[] {
  return input.scenes.filter((scene) => scene.name === input.context.scene || sceneHolds({ scene, context: input.context, moment: input.moment }));
}

/** What active scenes do to one item: a score factor, or exclusion, and which scenes did it. */
export interface SceneEffect {
  factor: number;
  excluded: boolean;
  /** Labels of the scenes whose boosts matched (for the item's reasons). */
  boostedBy: string[];
}

/**
 * Compiles active scenes into a per-item effect: boosts of every matching rule multiply;
 * any matching exclusion removes the item.
 *
 * @example
 * const effect = sceneEffects({ scenes: active, catalog }); effect(12); // { factor: 2, excluded: false, boostedBy: ['After a workout'] }
 */
export function sceneEffects(input: { scenes: readonly Scene[]; catalog: CatalogIndex }): (position: number) => SceneEffect {
  const rules = input.scenes.map((scene) => ({
    label: scene.label,
    boosts: scene.boost.map((b) => ({ test: input.catalog.matcher(b.match), factor: b.factor })),
    excludes: scene.exclude.map((m) => input.catalog.matcher(m)),
  }));
  return (position) => {
    let factor = 1;
    let excluded = false;
    const boostedBy: string[] = [];
    for (const rule of rules) {
      if (rule.excludes.some((test) => test(position))) excluded = true;
      let matched = false;
      for (const b of rule.boosts) {
        if (b.test(position)) {
          factor *= b.factor;
          matched = true;
        }
      }
      if (matched) boostedBy.push(rule.label);
    }
    return { factor, excluded, boostedBy };
  };
}
