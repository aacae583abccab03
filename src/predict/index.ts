export * from './replenishment.js';
export type * from './prediction-repository.js';
