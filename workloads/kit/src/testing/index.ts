// Test helpers (not part of a service's runtime): `@paygrid/workload-kit/testing`.
export * from './postgres.js';
export * from './service-process.js';
export * from './openapi.js';
export * from './analytics-truth.js';
