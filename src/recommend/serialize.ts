import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { alsSchema, loadAls } from './als.js';
import { blendRecommenders } from './blend.js';
import { contentSchema, loadContent } from './content.js';
import { easeSchema, loadEase } from './ease.js';
import { itemKnnSchema, loadItemKnn } from './item-knn.js';
import { loadPopularity, popularitySchema } from './popularity.js';
import type { Recommender } from './recommender.js';
import { loadRp3beta, rp3betaSchema } from './rp3beta.js';

/** Every single (non-blend) serialized model, told apart by `kind`. */
export const serializedComponentSchema = z.discriminatedUnion('kind', [popularitySchema, itemKnnSchema, rp3betaSchema, easeSchema, alsSchema, contentSchema]);

/** A blend: its components are stored without their own copy of `itemIds`. */
export const blendSchema = z.object({
  kind: z.literal('blend'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  parts: z.array(z.object({ weight: z.number().nonnegative(), model: z.object({ kind: z.string() }).passthrough() })).min(1),
});

export type ModelLoadError = { type: 'invalid_model'; reason: string };

/**
 * Loads a model from its JSON form (as stored by the server): the shape is validated and the
 * typed arrays checked against the item count, so a corrupt or foreign document is refused
 * here and never reaches serving.
 *
 * @example
 * const loaded = deserializeRecommender(JSON.parse(JSON.stringify(model.serialize())));
 * if (loaded.ok) loaded.value.recommend({ history, n: 10 });
 */
export function deserializeRecommender(json: unknown): Result<Recommender, ModelLoadError> {
  try {
    const kind = typeof json === 'object' && json !== null && 'kind' in json ? (json as { kind: unknown }).kind : undefined;
    if (kind === 'blend') {
      const blend = blendSchema.safeParse(json);
      if (!blend.success) return invalid(blend.error, []);
      const parts = [];
      for (const [i, part] of blend.data.parts.entries()) {
        const component = serializedComponentSchema.safeParse({ ...part.model, itemIds: blend.data.itemIds });
        if (!component.success) return invalid(component.error, ['parts', i, 'model']);
        parts.push({ weight: part.weight, model: loadComponent(component.data) });
      }
      return ok(blendRecommenders(parts));
    }
    const parsed = serializedComponentSchema.safeParse(json);
    if (!parsed.success) return invalid(parsed.error, []);
    return ok(loadComponent(parsed.data));
  } catch (error) {
    if (error instanceof RangeError) return err({ type: 'invalid_model', reason: error.message });
    throw error;
  }
}

function loadComponent(data: z.infer<typeof serializedComponentSchema>): Recommender {
  switch (data.kind) {
    case 'popularity':
      return loadPopularity(data);
    case 'item_knn':
      return loadItemKnn(data);
    case 'rp3beta':
      return loadRp3beta(data);
    case 'ease':
      return loadEase(data);
    case 'als':
      return loadAls(data);
    case 'content':
      return loadContent(data);
  }
}

function invalid(error: z.ZodError, prefix: ReadonlyArray<string | number>): { ok: false; error: ModelLoadError } {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].map(String).join('.');
  return err({ type: 'invalid_model', reason: `${path === '' ? 'model' : path}: ${issue?.message ?? 'invalid'}` });
}
