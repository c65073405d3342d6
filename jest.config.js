// Unit tests live beside the code (operator/src/**/*.test.ts, workloads/*/src/**/*.test.ts, e2e/src/terminal) and
// need no cluster and no database. Workload tests named *.pg.test.ts run against a real PostgreSQL
// (started by `make test-workloads`, which sets PAYGRID_TEST_DATABASE_URL). Integration/e2e tests
// (e2e/src/**/*.e2e.test.ts) need the testbed; *.real.test.ts need it with real nodes.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json', diagnostics: false }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@paygrid/workload-kit$': '<rootDir>/workloads/kit/src/index.ts',
    '^@paygrid/workload-kit/testing$': '<rootDir>/workloads/kit/src/testing/index.ts',
    '^@paygrid/operator/routes-api$': '<rootDir>/operator/src/http/routes-api.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
export default {
  // Integration tests wait on real clusters; unit tests finish far sooner.
  testTimeout: 180_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/operator/src/**/*.test.ts',
        '<rootDir>/workloads/*/src/**/*.test.ts',
        '<rootDir>/e2e/src/terminal/**/*.test.ts',
        '<rootDir>/e2e/src/testbed/**/*.test.ts',
        '<rootDir>/e2e/src/bench/**/*.test.ts',
      ],
      testPathIgnorePatterns: ['\\.pg\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'workloads',
      testMatch: ['<rootDir>/workloads/*/src/**/*.pg.test.ts', '<rootDir>/e2e/src/**/*.pg.test.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/e2e/src/**/*.e2e.test.ts'],
      slowTestThreshold: 60,
    },
    // Only on the real-node testbed (make test-real-pods): payments through faults on real pods.
    {
      ...common,
      displayName: 'real-pods',
      testMatch: ['<rootDir>/e2e/src/**/*.real.test.ts'],
      slowTestThreshold: 120,
    },
  ],
};
