export * from './api-keys.js';
export * from './workspace-repository.js';
export * from './workspace-service.js';
