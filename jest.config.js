// Unit tests live beside the code (operator/src/**/*.test.ts) and need no
// cluster; integration/e2e tests (e2e/src/**/*.e2e.test.ts) need the testbed.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json', diagnostics: false }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
export default {
  // Integration tests wait on real clusters; unit tests finish far sooner.
  testTimeout: 180_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/operator/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/e2e/src/**/*.e2e.test.ts'],
      slowTestThreshold: 60,
    },
  ],
};
