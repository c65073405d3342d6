// openapi.yaml is the ledger's published API: it must list exactly the routes the service serves,
// so a route added to the code and not the docs (or documented and not served) fails here.
import { documentedRoutes, servedRoutes } from '@paygrid/workload-kit/testing';
import { ledgerRoutes, type LedgerApiDeps } from './http-api.js';

// Building the router only wires handlers; none runs, so the dependencies are never touched.
const served = servedRoutes(ledgerRoutes({} as LedgerApiDeps));

test('openapi.yaml documents exactly the routes the ledger serves', () => {
  expect(served).toContain('GET /v1/transfers/{id}');
  expect(documentedRoutes(new URL('../openapi.yaml', import.meta.url)).sort()).toEqual([...served].sort());
});
