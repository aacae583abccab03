/**
 * Profiles: reading profiles (profile-service.ts) and computing traits from events and
 * orders (pure functions; see README.md for every trait's definition).
 */
export * from './profile-service.js';
export type * from './profile-repository.js';

export * from './inputs.js';
export * from './trait-registry.js';
export * from './statistics.js';
export * from './activity-traits.js';
export * from './order-rules.js';
export * from './favourites.js';
export * from './price-bands.js';
export * from './commerce-traits.js';
export * from './rfm-segments.js';
export * from './rfm.js';
export * from './lifecycle.js';
export * from './time-zones.js';
export * from './engagement-traits.js';
