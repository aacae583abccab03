export * from './identifiers.js';
export * from './identity-graph.js';
export * from './resolve.js';
