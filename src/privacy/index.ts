// The privacy domain's public surface: other domains import from here only (STYLE.md).
export * from './purposes.js';
export * from './jurisdictions.js';
export * from './notices.js';
export * from './consent-ledger.js';
export * from './consent-input.js';
export * from './identify-consent.js';
export * from './subscriptions.js';
export * from './message-classes.js';
export * from './policy-reasons.js';
export * from './policy.js';
export * from './canonical-json.js';
export * from './audit-chain.js';
export * from './suppression.js';
export * from './export-schema.js';
