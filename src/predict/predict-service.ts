import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import { isCountedOrder } from '../profiles/order-rules.js';
import { median } from '../profiles/statistics.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import type { TraitValues } from '../profiles/trait-registry.js';
import type { IncrementalTraitState } from '../profiles/trait-state.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { parseIsoDate } from '../shared/iso-date.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive, probabilityNoPurchase, type BgNbdFit, type BgNbdParams } from './bgnbd.js';
import { CHURN_HORIZON_DAYS, churnRisk } from './churn.js';
import { predictedClv } from './clv.js';
import { fitGammaGamma, type GammaGammaFit, type GammaGammaParams } from './gamma-gamma.js';
import type { PredictionRepository, PredictionRow } from './prediction-repository.js';
import { createIntervalCollector, productDays, replenishmentDue } from './replenishment.js';
import { summarizePurchases, UNIT_DAYS, type PersonSummary, type TimeUnit } from './summaries.js';
import { valueTier, valueTierThresholds } from './value-tiers.js';

export const PURCHASE_MODEL_KIND = 'bgnbd-gamma-gamma';
const PAGE_SIZE = 1_000;
const DAY_MS = 86_400_000;
/** Fewer customers than this and the purchase model is not fitted (its four parameters need data). */
export const MIN_CUSTOMERS = 20;
/** Fewer repeat customers than this and no spend model (no CLV, no value tier). */
export const MIN_REPEAT_CUSTOMERS = 10;
export const DEFAULT_COMPLAINT_EVENTS = ['Complaint Submitted', 'Support Ticket Opened'] as const;
const COMPLAINT_WINDOW_DAYS = 90;

export interface PredictOptions {
  /** End of the calibration period (ms); orders after it are not used. Default: now. */
  calibrationEnd?: number;
  /** Time unit of the purchase model. Default 'week' (as in the published CDNOW fits). */
  unit?: TimeUnit;
  /** CLV horizon in days. Default 365. */
  horizonDays?: number;
  /** Yearly discount rate of the CLV. Default 0.1. */
  annualDiscountRate?: number;
  /** Event names that count as service contacts or complaints (early-warning signal). */
  complaintEvents?: readonly string[];
  onProgress?: (p: { phase: 'summaries' | 'predictions'; done: number }) => void;
}

export interface PredictSummary {
  workspaceId: string;
  modelId: string;
  version: number;
  unit: TimeUnit;
  calibrationEnd: string;
  horizonDays: number;
  annualDiscountRate: number;
  /** People with a counted order before calibration end whose profiling is allowed. */
  customers: number;
  repeatCustomers: number;
  /** Profiles left out because the policy refuses profiling them (P5). */
  profilingSkipped: number;
  purchaseModel: { params: BgNbdParams; logLikelihood: number; iterations: number; converged: boolean };
  spendModel: { params: GammaGammaParams; logLikelihood: number; customers: number; converged: boolean } | null;
  replenishableProducts: number;
  predictionsWritten: number;
  /** Earlier predictions removed (people no longer predicted, e.g. personalization switched off). */
  predictionsRemoved: number;
  durationMs: number;
}

export type PredictError = { type: 'not_enough_data'; message: string } | { type: 'bad_request'; message: string };

/**
 * A calibration end given as text (`tailor predict --calibration-end`), read as strictly as
 * segment dates are: ISO 8601 only (`2011-12-10`, `2011-12-10T00:00:00Z`), no rolled-over
 * days, nothing `Date.parse` would guess at.
 *
 * @example
 * parseCalibrationEnd('2011-12-10T00:00:00Z'); // { ok: true, value: 1323475200000 }
 * parseCalibrationEnd('2011-02-30');           // { ok: false, error: { type: 'bad_request', message: '…' } }
 */
export function parseCalibrationEnd(text: string): { ok: true; value: number } | { ok: false; error: PredictError } {
  const at = parseIsoDate(text.trim());
  return at === null
    ? { ok: false, error: { type: 'bad_request', message: `calibration end must be an ISO 8601 date or time (2011-12-10 or 2011-12-10T00:00:00Z), got ${JSON.stringify(text)}` } }
    : { ok: true, value: at };
}

/**
 * Per-person predictions from one person's summary and the fitted models (pure).
 *
 * @example
 * personPredictions({ summary, purchase, spend, unit: 'week', horizonDays: 365, annualDiscountRate: 0.1, complaints: 0, replenishment: {}, version: 3 });
 */
export function personPredictions(input: {
  summary: PersonSummary; purchase: BgNbdParams; spend: GammaGammaParams | null; unit: TimeUnit; horizonDays: number; annualDiscountRate: number;
  complaints: number; replenishment: Record<string, number>; version: number; populationIntervalDays: number | null;
}): TraitValues & { predicted_clv?: number } {
  const c = input.summary.purchases;
  const unitDays = UNIT_DAYS[input.unit];
  const alive = probabilityAlive(input.purchase, c);
  const churn = churnRisk({ probabilityNoPurchase: probabilityNoPurchase(input.purchase, c, CHURN_HORIZON_DAYS / unitDays), purchaseDays: input.summary.purchaseDays, ageDays: c.T * unitDays, complaints: input.complaints, populationIntervalDays: input.populationIntervalDays });
  const clv = input.spend === null ? null : predictedClv({
    purchase: input.purchase, spend: input.spend, customer: c, spendSummary: input.summary.spend, unit: input.unit, horizonDays: input.horizonDays, annualDiscountRate: input.annualDiscountRate,
  });
  const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    p_alive: round(alive, 4),
    expected_purchases_30d: round(conditionalExpectedPurchases(input.purchase, c, 30 / unitDays), 4),
    expected_purchases_90d: round(conditionalExpectedPurchases(input.purchase, c, 90 / unitDays), 4),
    expected_purchases_365d: round(conditionalExpectedPurchases(input.purchase, c, 365 / unitDays), 4),
    ...(clv === null ? {} : { predicted_clv: round(clv, 2) }),
    churn_risk: round(churn.risk, 4),
    churn_risk_level: churn.level,
    replenishment_due: input.replenishment,
    prediction_model_version: input.version,
  };
}

/** Complaint events the state saw, counted when the latest of them is within 90 days of `at`. */
function complaintsOf(state: IncrementalTraitState | null | undefined, names: readonly string[], at: number): number {
  if (state === null || state === undefined) return 0;
  let n = 0;
  for (const name of names) {
    const last = state.activity.lastEventAt[name];
    if (last !== undefined && last <= at && at - last <= COMPLAINT_WINDOW_DAYS * DAY_MS) n += state.activity.eventCounts[name] ?? 0;
  }
  return n;
}

/**
 * `tailor predict`: fits the purchase (BG/NBD) and spend (Gamma-Gamma) models on the orders of
 * every person the policy lets us profile, stores them as a new model version, and writes each
 * such person's predictions (P(alive), expected purchases, CLV, churn risk, value tier,
 * replenishment dates). Two passes over the live profiles in pages: summaries and product
 * intervals; then predictions. Memory: one summary per customer.
 *
 * @example
 * const r = await predict.predictWorkspace(workspace, { unit: 'week' }); r.ok && r.value.purchaseModel.params;
 */
export function createPredictService(deps: { traits: ComputedTraitRepository; repository: PredictionRepository; clock: Clock; ids: Ids }) {
  const { traits, repository, clock, ids: idGen } = deps;

  async function* pages(workspaceId: string): AsyncGenerator<string[]> {
    let after: string | null = null;
    for (;;) {
      const ids = await traits.profilePage(workspaceId, after, PAGE_SIZE);
      if (ids.length === 0) return;
      yield ids;
      after = ids[ids.length - 1]!;
    }
  }

  return {
    async predictWorkspace(workspace: Workspace, options: PredictOptions = {}): Promise<{ ok: true; value: PredictSummary } | { ok: false; error: PredictError }> {
      const started = clock.now();
      const calibrationEnd = options.calibrationEnd ?? started;
      const unit = options.unit ?? 'week';
      const horizonDays = options.horizonDays ?? 365;
      const annualDiscountRate = options.annualDiscountRate ?? 0.1;
      const complaintEvents = options.complaintEvents ?? DEFAULT_COMPLAINT_EVENTS;
      if (!Number.isFinite(calibrationEnd)) return { ok: false, error: { type: 'bad_request', message: 'calibrationEnd must be a valid time' } };
      if (!(horizonDays > 0 && horizonDays <= 3650)) return { ok: false, error: { type: 'bad_request', message: `horizonDays must be between 1 and 3650, got ${horizonDays}` } };
      if (!(annualDiscountRate >= 0 && annualDiscountRate < 10)) return { ok: false, error: { type: 'bad_request', message: `annualDiscountRate must be in [0, 10), got ${annualDiscountRate}` } };
      const currency = workspace.settings.defaultCurrency;

      // Pass 1: summaries of the people we may profile, and the products' repeat intervals.
      const summaries = new Map<string, PersonSummary>();
      const intervals = createIntervalCollector();
      let profilingSkipped = 0;
      let done = 0;
      for await (const ids of pages(workspace.id)) {
        const [orders, privacy] = await Promise.all([traits.ordersOf(workspace.id, ids), traits.privacyOf(workspace.id, ids)]);
        // The policy as it stands when the job runs, whatever the calibration end (PRIVACY.md P5:
        // a person who refuses profiling today is not profiled by today's job, even on old orders).
        const allowed = profilingAllowed(workspace, ids, privacy, started);
        for (const id of ids) {
          if (!allowed.has(id)) { profilingSkipped++; continue; }
          const own = (orders.get(id) ?? []).filter((o) => o.placedAt <= calibrationEnd);
          const s = summarizePurchases(own, { calibrationEnd, unit, currency });
          if (s === null) continue;
          summaries.set(id, s);
          intervals.add(productDays(own.filter(isCountedOrder)));
        }
        done += ids.length;
        options.onProgress?.({ phase: 'summaries', done });
      }
      if (summaries.size < MIN_CUSTOMERS) {
        return {
          ok: false,
          error: {
            type: 'not_enough_data',
            message: `the purchase model needs at least ${MIN_CUSTOMERS} customers and found ${summaries.size}: of ${done} profiles, ${profilingSkipped} may not be profiled under the workspace's policy ` +
              `(PRIVACY.md P5: no profiling consent or legal basis, or personalization off) and ${done - profilingSkipped - summaries.size} have no counted order in the workspace currency ${currency} before ${new Date(calibrationEnd).toISOString()}`,
          },
        };
      }

      // The models.
      const people = [...summaries.values()];
      const purchaseFit: BgNbdFit = fitBgNbd(people.map((s) => s.purchases));
      const spenders = people.flatMap((s) => (s.spend === null ? [] : [s.spend]));
      const spendFit: GammaGammaFit | null = spenders.length >= MIN_REPEAT_CUSTOMERS ? fitGammaGamma(spenders) : null;
      const productIntervals = intervals.productIntervals();
      // The population's typical purchase cycle: median of the repeat customers' mean intervals.
      const populationIntervalDays = median(people.flatMap((p) => (p.purchaseDays.length < 2 ? [] : [(p.purchaseDays[p.purchaseDays.length - 1]! - p.purchaseDays[0]!) / (p.purchaseDays.length - 1)])));
      const dataFrom = people.reduce((m, s) => Math.min(m, calibrationEnd - s.purchases.T * UNIT_DAYS[unit] * DAY_MS), calibrationEnd);
      const model = await repository.saveModel(workspace.id, {
        id: idGen.uuid(), kind: PURCHASE_MODEL_KIND, createdAt: clock.now(), dataFrom: Math.floor(dataFrom), dataTo: calibrationEnd,
        params: { purchase: purchaseFit.params, spend: spendFit?.params ?? null, unit, horizonDays, annualDiscountRate, currency },
        stats: {
          customers: people.length, repeatCustomers: spenders.length,
          purchase: { logLikelihood: purchaseFit.logLikelihood, iterations: purchaseFit.iterations, converged: purchaseFit.converged },
          spend: spendFit === null ? null : { logLikelihood: spendFit.logLikelihood, customers: spendFit.customers, converged: spendFit.converged },
          replenishableProducts: productIntervals.size, populationIntervalDays,
        },
      });

      // CLV of everyone first: the value tiers are quantiles of the population's CLV.
      const clvOf = (s: PersonSummary) => (spendFit === null ? null : predictedClv({
        purchase: purchaseFit.params, spend: spendFit.params, customer: s.purchases, spendSummary: s.spend, unit, horizonDays, annualDiscountRate,
      }));
      const thresholds = valueTierThresholds(people.map(clvOf).filter((v): v is number => v !== null));

      // Pass 2: predictions, one write per page.
      let written = 0;
      done = 0;
      for await (const ids of pages(workspace.id)) {
        const mine = ids.filter((id) => summaries.has(id));
        if (mine.length > 0) {
          const [orders, states] = await Promise.all([traits.ordersOf(workspace.id, mine), traits.statesOf(workspace.id, mine)]);
          const rows: PredictionRow[] = mine.map((id) => {
            const summary = summaries.get(id)!;
            const own = (orders.get(id) ?? []).filter((o) => o.placedAt <= calibrationEnd && isCountedOrder(o));
            const values = personPredictions({
              summary, purchase: purchaseFit.params, spend: spendFit?.params ?? null, unit, horizonDays, annualDiscountRate,
              complaints: complaintsOf(states.get(id), complaintEvents, calibrationEnd), replenishment: replenishmentDue(productDays(own), productIntervals), version: model.version, populationIntervalDays,
            });
            if (thresholds !== null && values.predicted_clv !== undefined) values.value_tier = valueTier(values.predicted_clv, values.churn_risk_level!, thresholds);
            return { profileId: id, traits: values };
          });
          await repository.writePredictions(workspace.id, model, rows, clock.now());
          written += rows.length;
        }
        done += ids.length;
        options.onProgress?.({ phase: 'predictions', done });
      }
      const removed = await repository.deleteOtherPredictions(workspace.id, model.version);
      return {
        ok: true,
        value: {
          workspaceId: workspace.id, modelId: model.id, version: model.version, unit, calibrationEnd: new Date(calibrationEnd).toISOString(), horizonDays, annualDiscountRate,
          customers: people.length, repeatCustomers: spenders.length, profilingSkipped,
          purchaseModel: { params: purchaseFit.params, logLikelihood: purchaseFit.logLikelihood, iterations: purchaseFit.iterations, converged: purchaseFit.converged },
          spendModel: spendFit === null ? null : { params: spendFit.params, logLikelihood: spendFit.logLikelihood, customers: spendFit.customers, converged: spendFit.converged },
          replenishableProducts: productIntervals.size, predictionsWritten: written, predictionsRemoved: removed, durationMs: clock.now() - started,
        },
      };
    },

    /** Stored model versions, newest first. */
    models: (workspaceId: string, kind?: string) => repository.models(workspaceId, kind),
  };
}

export type PredictService = ReturnType<typeof createPredictService>;
