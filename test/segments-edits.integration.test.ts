import { afterAll, expect, it } from 'vitest';
import type { Tailor } from '../src/main.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage } from './support/factories.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
/** Segment references read behaviour (P5): profiling must be allowed for them to hold anyone. */
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

interface Summary { segmentId: string; members: number; entered: number; exited: number }
interface Evaluation extends Summary { dependents: Summary[] }
interface ErrorBody { error: { message: string; details: Array<{ path: string; message: string }> } }

/** A workspace (profiling allowed) whose people carry identify traits only, and admin request helpers. */
async function shop(tailor: Tailor, post: (path: string, body: unknown, headers?: Record<string, string>) => Response | Promise<Response>, people: Array<{ userId: string; plan: string; score: number }>) {
  const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
  const res = await post('/v1/batch', { batch: people.map((p) => identifyMessage({ userId: p.userId, traits: { plan: p.plan, score: p.score } })) }, { authorization: basic(keys.write) });
  expect(res.status).toBe(200);
  await tailor.realtime.drain();
  const req = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const r = await tailor.app.request(path, {
      method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      headers: { 'content-type': 'application/json', authorization: bearer(keys.admin) },
    });
    return { status: r.status, body: (r.headers.get('content-type')?.includes('json') === true ? await r.json() : await r.text()) as T };
  };
  const create = async (name: string, condition: unknown) => {
    const r = await req<{ segment: { id: string } }>('/v1/segments', { method: 'POST', body: { name, condition } });
    expect(r.status, name).toBe(201);
    return r.body.segment.id;
  };
  const users = async (id: string) => {
    const r = await req<{ members: Array<{ userId: string }> }>(`/v1/segments/${id}/members?limit=1000`);
    return r.body.members.map((m) => m.userId).sort();
  };
  return { workspace, keys, req, create, users };
}

describeEachEngine('segments: edits and evaluations reach the segments that refer to them; validation names every problem', (engine) => {
  afterAll(() => engine.cleanup());

  it('re-evaluates dependents (direct and transitive, in dependency order) after PUT and POST …/evaluate, and reports them', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys, req, create, users } = await shop(tailor, post, [
        { userId: 'ann', plan: 'pro', score: 1 }, { userId: 'ben', plan: 'pro', score: 2 }, { userId: 'cat', plan: 'free', score: 3 },
      ]);
      const pro = await create('Pro', { trait: 'plan', source: 'profile', op: '=', value: 'pro' });
      const proCopy = await create('Pro (by reference)', { segment: pro });
      const scoredPro = await create('Scored pro (two levels down)', { all: [{ trait: 'score', source: 'profile', op: '>', value: 0 }, { segment: proCopy }] });
      const notPro = await create('Not pro', { not: { segment: pro } });
      const unrelated = await create('Scored', { trait: 'score', source: 'profile', op: '>', value: 0 });
      expect(await users(scoredPro)).toEqual(['ann', 'ben']);
      expect(await users(notPro)).toEqual(['cat']);

      // Editing "Pro" to match nobody empties it, and at once everything built on it.
      clock.advance(1000);
      const edited = await req<{ segment: { memberCount: number }; evaluation: Evaluation }>(`/v1/segments/${pro}`, { method: 'PUT', body: { name: 'Enterprise', condition: { trait: 'plan', source: 'profile', op: '=', value: 'enterprise' } } });
      expect(edited.status).toBe(200);
      expect(edited.body.evaluation).toMatchObject({ segmentId: pro, members: 0, entered: 0, exited: 2 });
      const deps = edited.body.evaluation.dependents;
      expect(new Map(deps.map((d) => [d.segmentId, [d.members, d.entered, d.exited]]))).toEqual(new Map([
        [proCopy, [0, 0, 2]], [notPro, [3, 2, 0]], [scoredPro, [0, 0, 2]],
      ]));
      // A segment comes after the segments it refers to.
      expect(deps.findIndex((d) => d.segmentId === scoredPro)).toBeGreaterThan(deps.findIndex((d) => d.segmentId === proCopy));
      expect(deps.some((d) => d.segmentId === unrelated)).toBe(false);
      expect(await users(proCopy)).toEqual([]);
      expect(await users(scoredPro)).toEqual([]);
      expect(await users(notPro)).toEqual(['ann', 'ben', 'cat']);
      expect((await req<{ memberCount: number }>(`/v1/segments/${scoredPro}`)).body.memberCount).toBe(0);
      const annAfterEdit = await req<{ changes: Array<{ segmentId: string; change: string; reason: string }> }>('/v1/profiles/user_id:ann/segments');
      expect(annAfterEdit.body.changes.filter((c) => c.segmentId === scoredPro).at(-1)).toMatchObject({ change: 'exited', reason: 'edited' });

      // Without real-time updates, a new enterprise customer reaches "Enterprise" by an explicit evaluation — and its dependents with it.
      await tailor.workspaces.updateSettings(workspace.id, { segments: { realtime: false, evaluateEveryMinutes: 15 } });
      expect((await post('/v1/batch', { batch: [identifyMessage({ userId: 'dan', traits: { plan: 'enterprise', score: 5 } })] }, { authorization: basic(keys.write) })).status).toBe(200);
      await tailor.realtime.drain();
      clock.advance(1000);
      const evaluated = await req<Evaluation>(`/v1/segments/${pro}/evaluate`, { method: 'POST' });
      expect(evaluated.status).toBe(200);
      expect(evaluated.body).toMatchObject({ segmentId: pro, members: 1, entered: 1, exited: 0 });
      expect(new Map(evaluated.body.dependents.map((d) => [d.segmentId, [d.members, d.entered, d.exited]]))).toEqual(new Map([
        [proCopy, [1, 1, 0]], [notPro, [3, 0, 0]], [scoredPro, [1, 1, 0]],
      ]));
      expect(await users(scoredPro)).toEqual(['dan']);
      const dan = await req<{ changes: Array<{ segmentId: string; change: string; reason: string }> }>('/v1/profiles/user_id:dan/segments');
      expect(dan.body.changes.find((c) => c.segmentId === scoredPro)).toMatchObject({ change: 'entered', reason: 'evaluation' });

      // Nothing changed: nothing else is evaluated.
      const again = await req<Evaluation>(`/v1/segments/${pro}/evaluate`, { method: 'POST' });
      expect(again.body).toMatchObject({ entered: 0, exited: 0, dependents: [] });
    } finally {
      await store.close();
    }
  });

  it('names the path of every problem: schema problems first (name and condition together), then each bad reference where it is written', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { req, create } = await shop(tailor, post, [{ userId: 'ann', plan: 'pro', score: 1 }]);
      const validate = async (body: unknown) => {
        const r = await req<ErrorBody>('/v1/segments/validate', { method: 'POST', body });
        expect(r.status).toBe(400);
        return r.body.error.details;
      };
      expect(await validate({ name: 'x', condition: { all: [{ event: 'Order Completed' }, { not: { segment: 'nope' } }] } })).toEqual([
        { path: 'condition.all[1].not.segment', message: 'no segment with id "nope"' },
      ]);
      // A bad name no longer hides the condition's problems.
      expect(await validate({ name: '', condition: {} })).toEqual([
        { path: 'name', message: expect.any(String) },
        { path: 'condition', message: expect.stringContaining('must be a condition') },
      ]);
      // A parsed condition's references are checked even when the name is bad, after the schema problems.
      expect(await validate({ name: '', condition: { any: [{ segment: 'nope' }, { cluster: { model: 'no-run', number: 1 } }] } })).toEqual([
        { path: 'name', message: expect.any(String) },
        { path: 'condition.any[0].segment', message: 'no segment with id "nope"' },
        { path: 'condition.any[1].cluster.model', message: expect.stringContaining('no clustering model with id "no-run"') },
      ]);
      // A condition that does not parse has no references to check: its schema problems, with the name's.
      expect(await validate({ name: '', condition: { all: [{ segment: 'nope' }, { event: 'X', withinLastDays: -1 }] } })).toEqual([
        { path: 'name', message: expect.any(String) },
        { path: 'condition.all[1].withinLastDays', message: expect.any(String) },
      ]);
      // Dates: strict ISO 8601, as evaluation reads them.
      expect(await validate({ name: 'x', condition: { trait: 'signup', source: 'profile', op: 'before', value: 'hello 5' } })).toEqual([
        { path: 'condition.value', message: expect.stringContaining('needs an ISO 8601 date or time') },
      ]);
      expect(await validate({ name: 'x', condition: { event: 'X', between: ['2020-02-30', '2020-03-02'] } })).toEqual([
        { path: 'condition.between[0]', message: expect.stringContaining('must be an ISO 8601 date or time') },
      ]);

      // Itself, and a loop through other segments, at the reference that causes it.
      const base = await create('Base', { trait: 'plan', source: 'profile', op: '=', value: 'pro' });
      const middle = await create('Middle', { segment: base });
      const top = await create('Top', { any: [{ trait: 'score', source: 'profile', op: '>', value: 5 }, { not: { segment: middle } }] });
      const put = async (id: string, condition: unknown) => {
        const r = await req<ErrorBody>(`/v1/segments/${id}`, { method: 'PUT', body: { name: 'Base', condition } });
        expect(r.status).toBe(400);
        return r.body.error.details;
      };
      expect(await put(base, { any: [{ event: 'X' }, { segment: base }] })).toEqual([{ path: 'condition.any[1].segment', message: 'a segment cannot refer to itself' }]);
      expect(await put(base, { all: [{ event: 'X' }, { segment: middle }, { not: { segment: top } }] })).toEqual([
        { path: 'condition.all[1].segment', message: 'the segments it refers to refer back to it (a loop)' },
        { path: 'condition.all[2].not.segment', message: 'the segments it refers to refer back to it (a loop)' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('exports user ids a spreadsheet would run as formulas with a leading quote (OWASP CSV injection)', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const hostile = ["=cmd|' /C calc'!A0", '+SUM(1)', '-2+3', '@x', '=HYPERLINK("http://evil","y")', 'plain'];
      const { req, create } = await shop(tailor, post, hostile.map((userId) => ({ userId, plan: 'pro', score: 1 })));
      const id = await create('Pro', { trait: 'plan', source: 'profile', op: '=', value: 'pro' });
      const csv = await req<string>(`/v1/segments/${id}/members?format=csv`);
      expect(csv.status).toBe(200);
      const cells = csv.body.trim().split('\n').slice(1).map((line) => line.slice(line.indexOf(',') + 1, line.lastIndexOf(',')));
      expect(cells.sort()).toEqual([
        '"\'=HYPERLINK(""http://evil"",""y"")"', "'+SUM(1)", "'-2+3", "'=cmd|' /C calc'!A0", "'@x", 'plain',
      ].sort());
    } finally {
      await store.close();
    }
  });
});
