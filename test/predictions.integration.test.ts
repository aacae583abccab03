import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { consentInputSchema } from '../src/privacy/consent-input.js';
import { conditionalExpectedPurchases, probabilityAlive } from '../src/predict/bgnbd.js';
import { profileRepositorySql } from '../src/store/repositories/profile-repository-sql.js';
import { appFor, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { importDemoOrders } from './support/factories.js';

const DAY = 86_400_000;
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

describeEachEngine('predictions', (engine) => {
  afterAll(() => engine.cleanup());

  it('fits the models on the Online Retail excerpt, stores them with a version, and writes predictions that match summaries taken in SQL', async () => {
    const store = await engine.open();
    try {
      const { tailor, clock, a } = await appFor(store);
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await importDemoOrders(tailor, workspace);
      clock.set(Date.parse('2012-01-01T00:00:00Z'));
      const calibrationEnd = Date.parse('2011-09-01T00:00:00Z');
      const r = await tailor.predict.predictWorkspace(workspace, { calibrationEnd, unit: 'day' });
      if (!r.ok) throw new Error(r.error.message);
      const s = r.value;
      expect(s).toMatchObject({ version: 1, unit: 'day', profilingSkipped: 0, calibrationEnd: '2011-09-01T00:00:00.000Z' });
      expect(s.purchaseModel.converged).toBe(true);
      for (const v of Object.values(s.purchaseModel.params)) expect(v).toBeGreaterThan(0);
      expect(s.spendModel).not.toBeNull();

      // (x, tx, T) straight from the orders table: distinct UTC days of counted GBP orders up to calibration end.
      const { rows } = await sql<{ profile_id: string; day: number | string }>`
        select distinct profile_id, cast(floor(placed_at / 86400000.0) as integer) as day from orders
        where workspace_id = ${workspace.id} and kind = 'order' and status in ('completed', 'partially_refunded') and currency = 'GBP' and placed_at <= ${calibrationEnd}`.execute(store.db);
      const days = new Map<string, number[]>();
      for (const row of rows) days.set(row.profile_id, [...(days.get(row.profile_id) ?? []), Number(row.day)]);
      expect(s.customers).toBe(days.size);
      expect(s.predictionsWritten).toBe(days.size);
      let checked = 0;
      for (const [profileId, list] of days) {
        list.sort((x, y) => x - y);
        const first = list[0]!;
        const customer = { x: list.length - 1, tx: list[list.length - 1]! - first, T: calibrationEnd / DAY - first };
        const traits = (await profileRepositorySql(store.db).computedTraits(workspace.id, profileId))!.traits;
        expect(traits['p_alive'], profileId).toBeCloseTo(probabilityAlive(s.purchaseModel.params, customer), 4);
        expect(traits['expected_purchases_90d'], profileId).toBeCloseTo(conditionalExpectedPurchases(s.purchaseModel.params, customer, 90), 4);
        expect(traits).toMatchObject({ prediction_model_version: 1, churn_risk_level: expect.stringMatching(/^(low|medium|high)$/), value_tier: expect.any(String), predicted_clv: expect.any(Number) });
        checked++;
      }
      expect(checked).toBeGreaterThan(200);

      // The model is listed with its fit statistics; a second run is version 2 and retires the first.
      const again = await tailor.predict.predictWorkspace(workspace, { calibrationEnd, unit: 'week' });
      expect(again.ok && again.value.version).toBe(2);
      const models = await tailor.predict.models(workspace.id);
      expect(models.map((m) => [m.version, m.status])).toEqual([[2, 'active'], [1, 'retired']]);
      expect(models[0]!.stats).toMatchObject({ customers: days.size, purchase: { converged: true } });

      // Export carries predictions (P13).
      const doc = await tailor.exporter.export(workspace, 'user_id:17850', 'test');
      expect(doc.ok && doc.value.predictions.find((t) => t.name === 'p_alive')).toMatchObject({ model: 'bgnbd-gamma-gamma', modelVersion: '2', value: expect.any(Number) });
      expect(doc.ok && doc.value.computedTraits.find((t) => t.name === 'p_alive')).toBeUndefined();

      // Nothing to learn from: a clear error, nothing stored.
      const empty = await tailor.predict.predictWorkspace((await tailor.workspaces.getWorkspace(a.workspace.id))!, {});
      expect(empty).toMatchObject({ ok: false, error: { type: 'not_enough_data', message: expect.stringContaining('needs at least 20 customers and found 0') } });
      expect(await tailor.predict.models(a.workspace.id)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('leaves out a person whose personalization is off (P5) and removes their earlier predictions', async () => {
    const store = await engine.open();
    try {
      const { tailor, clock } = await appFor(store);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await importDemoOrders(tailor, workspace);
      clock.set(Date.parse('2012-01-01T00:00:00Z'));
      const first = await tailor.predict.predictWorkspace(workspace, {});
      expect(first.ok).toBe(true);
      const who = await tailor.profiles.resolve(workspace.id, 'user_id:17850');
      const id = who.ok ? who.value.id : '';
      expect((await profileRepositorySql(store.db).computedTraits(workspace.id, id))!.traits).toHaveProperty('p_alive');
      const res = await tailor.app.request('/v1/profiles/user_id:17850/personalization', {
        method: 'PUT', body: JSON.stringify({ enabled: false }), headers: { 'content-type': 'application/json', authorization: bearer(keys.admin) },
      });
      expect(res.status).toBe(200);
      const second = await tailor.predict.predictWorkspace(workspace, {});
      expect(second.ok && second.value).toMatchObject({ profilingSkipped: 1, predictionsRemoved: 1 });
      expect((await profileRepositorySql(store.db).computedTraits(workspace.id, id))?.traits ?? {}).not.toHaveProperty('p_alive');
    } finally {
      await store.close();
    }
  });

  it('applies the policy as of now, not as of a past calibration end: a person who refuses profiling today gets no predictions (P5)', async () => {
    const store = await engine.open();
    try {
      const { tailor, clock } = await appFor(store);
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await importDemoOrders(tailor, workspace);
      clock.set(Date.parse('2012-01-01T00:00:00Z'));
      const calibrationEnd = Date.parse('2011-12-10T00:00:00Z');
      const first = await tailor.predict.predictWorkspace(workspace, { calibrationEnd });
      expect(first.ok && first.value.profilingSkipped).toBe(0);
      const who = await tailor.profiles.resolve(workspace.id, 'user_id:17850');
      const id = who.ok ? who.value.id : '';
      const predicted = (await profileRepositorySql(store.db).computedTraits(workspace.id, id))!.traits;
      expect(predicted).toMatchObject({ p_alive: expect.any(Number), value_tier: expect.any(String), prediction_model_version: 1 });
      // Segments read predictions (src/predict/README.md): the person's own values find them; top 100% by CLV is everyone predicted.
      const theirs = { all: [
        { trait: 'value_tier', op: '=', value: predicted['value_tier'] }, { trait: 'churn_risk_level', op: '=', value: predicted['churn_risk_level'] },
        { trait: 'predicted_clv', op: 'between', value: [predicted['predicted_clv'], predicted['predicted_clv']] },
      ] };
      const found = await tailor.segments.preview(workspace, { name: 'like 17850', condition: theirs });
      expect(found.ok && found.value.sample).toContain(id);
      const everyone = await tailor.segments.preview(workspace, { name: 'all predicted', condition: { trait: 'predicted_clv', op: 'top_percent', value: 100 } });
      expect(everyone.ok && everyone.value.count).toBe(first.ok && first.value.predictionsWritten);

      // Today (after the calibration end) the person objects to profiling.
      clock.advance(DAY);
      const denied = await tailor.consent.record(workspace, 'user_id:17850', consentInputSchema.array().parse([{ purpose: 'profiling', decision: 'denied' }]), 'test');
      expect(denied.ok).toBe(true);
      clock.advance(DAY);
      const second = await tailor.predict.predictWorkspace(workspace, { calibrationEnd });
      expect(second.ok && second.value).toMatchObject({ version: 2, calibrationEnd: '2011-12-10T00:00:00.000Z', profilingSkipped: 1, predictionsRemoved: 1 });
      const traits = (await profileRepositorySql(store.db).computedTraits(workspace.id, id))?.traits ?? {};
      for (const name of ['p_alive', 'predicted_clv', 'value_tier', 'churn_risk_level', 'prediction_model_version']) expect(traits).not.toHaveProperty(name);
      const gone = await tailor.segments.preview(workspace, { name: 'like 17850', condition: theirs });
      expect(gone.ok && gone.value.sample).not.toContain(id);
    } finally {
      await store.close();
    }
  });
});
