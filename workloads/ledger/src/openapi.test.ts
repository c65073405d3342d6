// openapi.yaml is the ledger's published API: it must list exactly the routes the service serves,
// so a route added to the code and not the docs (or documented and not served) fails here.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ledgerRoutes, type LedgerApiDeps } from './http-api.js';

const OPENAPI = new URL('../openapi.yaml', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
// Answered by the kit's server itself (workloads/kit/src/http-server.ts), not by the Router.
const KIT_ROUTES = ['GET /livez', 'GET /healthz', 'GET /readyz', 'GET /metrics'];

function documentedRoutes(): string[] {
  const doc = parse(readFileSync(OPENAPI, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

function servedRoutes(): string[] {
  // Building the router only wires handlers; none runs, so the dependencies are never touched.
  const router = ledgerRoutes({} as LedgerApiDeps);
  return router.list().map((r) => `${r.method} ${r.pattern.replace(/:([^/]+)/g, '{$1}')}`);
}

test('openapi.yaml documents exactly the routes the ledger serves', () => {
  expect(servedRoutes()).toContain('GET /v1/transfers/{id}');
  expect(documentedRoutes().sort()).toEqual([...servedRoutes(), ...KIT_ROUTES].sort());
});
