// openapi.yaml is the analytics service's published API: it must list exactly the routes the service serves,
// so a route added to the code and not the docs (or documented and not served) fails here.
import { documentedRoutes, servedRoutes } from '@paygrid/workload-kit/testing';
import { analyticsRoutes, type AnalyticsApiDeps } from './http-api.js';

// Building the router only wires handlers; none runs, so the dependencies are never touched.
const served = servedRoutes(analyticsRoutes({} as AnalyticsApiDeps));

test('openapi.yaml documents exactly the routes analytics serves', () => {
  expect(served).toContain('GET /v1/series');
  expect(documentedRoutes(new URL('../openapi.yaml', import.meta.url)).sort()).toEqual([...served].sort());
});
