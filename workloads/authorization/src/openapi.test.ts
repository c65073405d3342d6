// openapi.yaml is the authorization service's published API: it must list exactly the routes the service serves,
// so a route added to the code and not the docs (or documented and not served) fails here.
import { documentedRoutes, servedRoutes } from '@paygrid/workload-kit/testing';
import { authorizationRoutes } from './http-api.js';
import type { AuthorizationMetrics } from './metrics.js';

// Building the router only wires handlers; none runs, so the dependencies are never touched.
const served = servedRoutes(authorizationRoutes(() => undefined, {} as AuthorizationMetrics));

test('openapi.yaml documents exactly the routes authorization serves', () => {
  expect(served).toContain('POST /v1/authorizations/{id}/capture');
  expect(documentedRoutes(new URL('../openapi.yaml', import.meta.url)).sort()).toEqual([...served].sort());
});
