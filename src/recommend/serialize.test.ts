import { describe, expect, it } from 'vitest';
import { fitAls } from './als.js';
import { blendRecommenders } from './blend.js';
import { fitContent } from './content.js';
import { fitEase } from './ease.js';
import { encodeInt32 } from './encoding.js';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { fitItemKnn } from './item-knn.js';
import { fitPopularity } from './popularity.js';
import type { Recommender } from './recommender.js';
import { seededRng } from './rng.js';
import { fitRp3beta } from './rp3beta.js';
import { deserializeRecommender } from './serialize.js';
import { rowOf } from './sparse.js';

function smallMatrix() {
  const rng = seededRng(5);
  const interactions: Interaction[] = [];
  for (let u = 0; u < 30; u++) {
    for (let e = 0; e < 6; e++) interactions.push({ userId: `u${u}`, itemId: `i${Math.floor(rng() * rng() * 12)}`, kind: 'purchase', at: 0 });
  }
  return buildInteractionMatrix({ interactions, referenceTime: 0 });
}

const matrix = smallMatrix();
const items = matrix.itemIds.map((itemId, i) => ({ itemId, name: `${i % 3 === 0 ? 'red' : 'blue'} thing ${itemId}` }));
const models: Record<string, Recommender> = {
  popularity: fitPopularity(matrix),
  item_knn: fitItemKnn(matrix, { k: 5 }),
  rp3beta: fitRp3beta(matrix, { k: 5 }),
  ease: fitEase(matrix, { lambda: 2, minBuyers: 1, k: 5 }),
  als: fitAls(matrix, { rng: seededRng(2), factors: 3, iterations: 3 }),
  content: fitContent(matrix, { items }),
};
models.blend = blendRecommenders([
  { model: models.rp3beta!, weight: 1 },
  { model: models.content!, weight: 0.5 },
]);

describe('deserializeRecommender', () => {
  for (const [kind, model] of Object.entries(models)) {
    it(`round-trips ${kind} through JSON text with the same scores`, () => {
      const loaded = deserializeRecommender(JSON.parse(JSON.stringify(model.serialize())));
      expect(loaded.ok).toBe(true);
      if (!loaded.ok) return;
      expect(loaded.value.kind).toBe(kind);
      expect(loaded.value.itemIds).toEqual(matrix.itemIds);
      const history = rowOf(matrix, 3);
      const before = Array.from(model.score(history));
      const after = Array.from(loaded.value.score(history));
      // Weights travel as float32: equal to float32 precision.
      after.forEach((v, i) => expect(v).toBeCloseTo(before[i]!, 5));
    });
  }

  it('refuses an unknown kind and names the path', () => {
    const result = deserializeRecommender({ kind: 'magic', version: 1, itemIds: [] });
    expect(result).toMatchObject({ ok: false, error: { type: 'invalid_model' } });
    if (!result.ok) expect(result.error.reason).toMatch(/^kind:/);
  });

  it('refuses neighbour lists that point outside the catalog', () => {
    const json = models.item_knn!.serialize() as unknown as { neighbours: { indices: string } } & Record<string, unknown>;
    const broken = { ...json, neighbours: { ...json.neighbours, indices: encodeInt32(new Array<number>(Buffer.from(json.neighbours.indices, 'base64').length / 4).fill(999)) } };
    const result = deserializeRecommender(broken);
    expect(result).toMatchObject({ ok: false, error: { type: 'invalid_model' } });
    if (!result.ok) expect(result.error.reason).toContain('outside');
  });

  it('names the path of a broken blend component', () => {
    const json = models.blend!.serialize() as unknown as { parts: Array<{ weight: number; model: Record<string, unknown> }> };
    const broken = { ...json, parts: [json.parts[0], { weight: 1, model: { ...json.parts[1]!.model, k: -1 } }] };
    const result = deserializeRecommender(broken);
    expect(result).toMatchObject({ ok: false, error: { type: 'invalid_model' } });
    if (!result.ok) expect(result.error.reason).toMatch(/^parts\.1\.model\.k:/);
  });

  it('refuses factors that do not match the item count', () => {
    const json = { ...models.als!.serialize(), itemIds: ['only-one'] };
    expect(deserializeRecommender(json)).toMatchObject({ ok: false, error: { type: 'invalid_model' } });
  });
});
