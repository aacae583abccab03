import type { Condition } from '../../src/segments/definition.js';

/** Workspace settings that let the bench profile everyone (P5 would otherwise keep people out of behaviour segments). */
export const PROFILING_ON = { privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests' })) } } };

/**
 * Fifty segments of the kinds marketers build, over the bench event stream's names
 * (Product Viewed, Product Added, Order Completed, page, identify): event windows and counts,
 * property filters, sequences, identify traits, last seen, consent, nesting, references.
 */
export function fiftySegments(): Array<{ name: string; condition: Condition }> {
  const categories = ['Kitchen', 'Garden', 'Gifts', 'Toys', 'Bath'];
  const out: Array<{ name: string; condition: Condition }> = [];
  for (let i = 0; out.length < 50; i++) {
    const cat = categories[i % categories.length]!;
    const templates: Array<{ name: string; condition: Condition }> = [
      { name: `viewed ${cat} ${i}`, condition: { event: 'Product Viewed', where: [{ property: 'category', op: '=', value: cat }], withinLastDays: 7 + i } },
      { name: `added twice ${i}`, condition: { event: 'Product Added', count: { atLeast: 2 }, withinLastDays: 30 } },
      { name: `bought ${i}`, condition: { event: 'Order Completed', withinLastDays: 30 + i } },
      { name: `browsed not bought ${i}`, condition: { all: [{ event: 'Product Viewed', count: { atLeast: 3 } }, { not: { event: 'Order Completed', withinLastDays: 60 } }] } },
      { name: `added then bought ${i}`, condition: { sequence: ['Product Added', 'Order Completed'], withinHours: 24 } },
      { name: `Leeds ${i}`, condition: { all: [{ trait: 'city', source: 'profile', op: '=', value: 'Leeds' }, { trait: 'last_seen', op: 'within_last', value: { days: 14 } }] } },
      { name: `pricey views ${i}`, condition: { event: 'Product Viewed', where: [{ property: 'price', op: '>', value: 50 + i }] } },
      { name: `email opt-in ${i}`, condition: { any: [{ consent: 'marketing_email', state: 'granted' }, { trait: 'email', source: 'profile', op: 'exists' }] } },
      { name: `big basket ${i}`, condition: { event: 'Order Completed', where: [{ property: 'revenue', op: '>=', value: 40 + i }], count: { atLeast: 1 } } },
      { name: `recent visitors ${i}`, condition: { trait: 'last_seen', op: 'within_last', value: { days: 1 + (i % 7) } } },
    ];
    out.push(templates[i % templates.length]!);
  }
  return out;
}
