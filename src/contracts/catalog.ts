import { z } from 'zod';
import { parseIsoDate } from '../shared/iso-date.js';

const isoDate = z.string().max(64).refine((s) => parseIsoDate(s) !== null, { message: 'must be an ISO-8601 date-time' });

/**
 * A catalog item as the API and the CSV import accept it. `category` is a path, either as
 * an array (`["Home", "Kitchen"]`) or as text with `>` between levels (`Home > Kitchen`).
 */
export const catalogItemInputSchema = z.object({
  id: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1, 'must not be empty').max(256)),
  name: z.string().trim().min(1, 'must not be empty').max(500),
  category: z.union([z.array(z.string().trim().min(1).max(200)).max(10), z.string().max(1000)]).optional()
    .transform((c) => (c === undefined ? [] : Array.isArray(c) ? c : c.split('>').map((s) => s.trim()).filter((s) => s !== ''))),
  brand: z.string().trim().max(200).optional().nullable(),
  price: z.number().finite().min(0, 'must not be negative').optional().nullable(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO-4217 code such as "USD"').transform((c) => c.toUpperCase()).optional().nullable(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  attributes: z.record(z.string(), z.unknown()).default({}),
  url: z.string().max(2000).optional().nullable(),
  image: z.string().max(2000).optional().nullable(),
  in_stock: z.boolean().default(true),
  created_at: isoDate.optional(),
});
export type CatalogItemInput = z.input<typeof catalogItemInputSchema>;
export type CatalogItemParsed = z.output<typeof catalogItemInputSchema>;

export const MAX_CATALOG_ITEMS_PER_REQUEST = 1000;

export const catalogUpsertSchema = z.object({
  items: z.array(z.unknown()).min(1, 'must hold at least one item').max(MAX_CATALOG_ITEMS_PER_REQUEST, `must hold at most ${MAX_CATALOG_ITEMS_PER_REQUEST} items`),
});

export interface CatalogItem {
  id: string;
  name: string;
  categoryPath: string[];
  brand: string | null;
  price: number | null;
  currency: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  url: string | null;
  image: string | null;
  inStock: boolean;
  createdAt: number;
  updatedAt: number;
}
