import { makeRecommender, type Recommender, type SerializedRecommender } from './recommender.js';

/**
 * A weighted hybrid (Burke 2002, "Hybrid recommender systems: survey and experiments", the
 * "weighted" kind): the score of item j is Σ_m w_m · s_m(j) / max_l s_m(l), each component's
 * scores scaled by the person's best score so that weights compare like with like. Typical use:
 * a collaborative model plus the content model, so that items nobody has bought yet can
 * still surface and variants of what a person bought rank higher.
 */
export interface BlendPart {
  model: Recommender;
  weight: number;
}

/**
 * Blends fitted models that share the same items (same ids in the same order).
 *
 * @example
 * const hybrid = blendRecommenders([{ model: fitRp3beta(matrix), weight: 1 }, { model: fitContent(matrix, { items }), weight: 0.3 }]);
 */
export function blendRecommenders(parts: readonly BlendPart[]): Recommender {
  const first = parts[0];
  if (first === undefined) throw new RangeError('a blend needs at least one model');
  const itemIds = first.model.itemIds;
  for (const { model, weight } of parts) {
    if (model.itemIds.length !== itemIds.length || model.itemIds.some((id, i) => itemIds[i] !== id)) {
      throw new RangeError(`blend: the ${model.kind} model was fitted on other items`);
    }
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`blend: weight ${weight} is not a finite non-negative number`);
  }
  const personal = parts.some((p) => p.weight > 0 && p.model.kind !== 'popularity');
  return makeRecommender({
    kind: 'blend',
    itemIds,
    // The components' own floors (0 for neighbour models) would be lost in the sum; an item
    // with a blended score of 0 has no evidence from any component.
    above: parts.some((p) => p.model.kind === 'als') ? -Infinity : 0,
    personal,
    score: (history) => {
      const out = new Float64Array(itemIds.length);
      for (const { model, weight } of parts) {
        if (weight === 0) continue;
        const scores = model.score(history);
        let max = 0;
        for (const s of scores) if (s > max) max = s;
        if (max === 0) continue;
        const scale = weight / max;
        for (let i = 0; i < out.length; i++) out[i]! += scale * scores[i]!;
      }
      return out;
    },
    serialize: (): SerializedRecommender => ({
      kind: 'blend',
      version: 1,
      itemIds: [...itemIds],
      parts: parts.map((p) => ({ weight: p.weight, model: { ...p.model.serialize(), itemIds: [] } })),
    }),
  });
}
