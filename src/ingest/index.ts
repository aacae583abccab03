export * from './limits.js';
export * from './normalize.js';
export * from './ingest-repository.js';
export * from './ingest-service.js';
