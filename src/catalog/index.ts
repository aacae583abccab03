export * from './catalog-repository.js';
export * from './catalog-service.js';
