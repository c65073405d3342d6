// Placement decisions: pure functions of (gateway, members, clock). See placeGateway.ts.
export * from './types.js';
export * from './labelSelector.js';
export * from './describe.js';
export * from './gatewaySpec.js';
export * from './eligibility.js';
export * from './ranking.js';
export * from './spread.js';
export * from './placementRecords.js';
export * from './stableSelection.js';
export * from './ledger.js';
export * from './placementChanged.js';
export * from './memberView.js';
export * from './placeGateway.js';
