import { afterAll, expect, it } from 'vitest';
import { appFor, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

interface PurposesBody {
  jurisdiction: string;
  purposes: Array<{ name: string; consentBased: boolean; legalBases: string[]; defaultLegalBasis: string; citation: string; description: string; default: { on: boolean; legalBasis: string; origin: string } }>;
}

describeEachEngine('GET /v1/purposes: the registry with this workspace\'s defaults (P1, P3)', (engine) => {
  afterAll(() => engine.cleanup());

  it('gives each purpose its default from the jurisdiction and the workspace\'s overrides', async () => {
    const store = await engine.open();
    try {
      const { tailor, a, b, get } = await appFor(store);
      const purposes = async (key: string) => {
        const res = await get('/v1/purposes', key);
        expect(res.status).toBe(200);
        const body = await res.json() as PurposesBody;
        return { body, byName: Object.fromEntries(body.purposes.map((p) => [p.name, p])) };
      };

      // EU (opt-in): consent-based purposes are off until granted; order emails rest on the contract (GDPR 6(1)(b)).
      const eu = await purposes(a.keys.admin);
      expect(eu.body.jurisdiction).toBe('EU');
      expect(eu.body.purposes).toHaveLength(10);
      expect(eu.byName['marketing_email']).toMatchObject({ consentBased: true, defaultLegalBasis: 'consent', default: { on: false, legalBasis: 'consent', origin: 'jurisdiction' } });
      expect(eu.byName['transactional_messages']).toMatchObject({ consentBased: false, default: { on: true, legalBasis: 'contract', origin: 'jurisdiction' } });
      expect(eu.byName['personalization']!.citation).toMatch(/PIPL/);

      const patched = await tailor.app.request('/v1/workspace', {
        method: 'PATCH', headers: { authorization: bearer(a.keys.admin), 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { privacy: { defaults: { overrides: [
          { purpose: 'marketing_email', default: 'on', legalBasis: 'legitimate_interests' },
          { purpose: 'transactional_messages', default: 'on', legalBasis: 'legal_obligation' },
        ] } } } }),
      });
      expect(patched.status).toBe(200);
      const overridden = await purposes(a.keys.admin);
      expect(overridden.byName['marketing_email']!.default).toEqual({ on: true, legalBasis: 'legitimate_interests', origin: 'workspace_override' });
      expect(overridden.byName['transactional_messages']!.default).toEqual({ on: true, legalBasis: 'legal_obligation', origin: 'workspace_override' });
      expect(overridden.byName['marketing_sms']!.default).toEqual({ on: false, legalBasis: 'consent', origin: 'jurisdiction' });

      // Each workspace sees its own: the CN workspace has no overrides.
      const cn = await purposes(b.keys.admin);
      expect(cn.body.jurisdiction).toBe('CN');
      expect(cn.byName['marketing_email']!.default).toEqual({ on: false, legalBasis: 'consent', origin: 'jurisdiction' });
      // US: opt-out for email (CAN-SPAM), opt-in for SMS (TCPA).
      const us = await tailor.workspaces.createWorkspace({ name: 'Shop US', jurisdiction: 'US' });
      const usp = await purposes(us.keys.admin);
      expect(usp.byName['marketing_email']!.default).toEqual({ on: true, legalBasis: 'notice_and_opt_out', origin: 'jurisdiction' });
      expect(usp.byName['marketing_sms']!.default).toEqual({ on: false, legalBasis: 'consent', origin: 'jurisdiction' });
    } finally {
      await store.close();
    }
  });
});
