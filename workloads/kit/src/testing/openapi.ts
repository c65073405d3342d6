// A service's openapi.yaml held to the code: the (method, path) pairs it documents against the
// ones the service serves (its Router's routes plus the server's own endpoints).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SERVER_ENDPOINTS } from '../http-server.js';
import type { Router } from '../router.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** `METHOD /path` of every operation in an OpenAPI file. */
export function documentedRoutes(openapi: URL): string[] {
  const doc = parse(readFileSync(openapi, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

/** `METHOD /path` the service serves, in OpenAPI's `{param}` spelling (the Router spells `:param`). */
export function servedRoutes(router: Router<unknown>): string[] {
  const routes = router.list().map((r) => `${r.method} ${r.pattern.replace(/:([^/]+)/g, '{$1}')}`);
  return [...routes, ...SERVER_ENDPOINTS];
}
