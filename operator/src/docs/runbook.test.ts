// docs/runbook.md explains every condition type, condition reason, placement reason and Event reason
// the operator can write: they are read from the operator's own sources (code-reasons.ts), so a new
// reason without a runbook entry fails here. An entry is the reason in backquotes in a table row.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reasonsInSource } from './code-reasons.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = join(root, 'operator', 'src');
// Where the operator decides what status and Events say. Not: the webhook (its reasons are HTTP
// status reasons of admission answers), the HTTP APIs and the CLI (error bodies), generated code.
const SCANNED = ['api', 'controllers', 'failover', 'members', 'placement', 'runtime', 'manager.ts'];

function sources(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).flatMap((f) => {
    const p = join(path, f);
    if (statSync(p).isDirectory()) return f === 'generated' || f === 'testdata' ? [] : sources(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && !/testSupport\.ts$/.test(f) ? [p] : [];
  });
}

const found = new Map<string, string>();
const types = new Map<string, string>();
for (const file of SCANNED.flatMap((s) => sources(join(src, s)))) {
  const r = reasonsInSource(file, readFileSync(file, 'utf8'));
  const at = relative(root, file);
  for (const reason of r.reasons) if (!found.has(reason)) found.set(reason, at);
  for (const t of r.conditionTypes) if (!types.has(t)) types.set(t, at);
}

const runbook = readFileSync(join(root, 'docs', 'runbook.md'), 'utf8');
/** Names written as `Name` in the first column of a table row. */
const documented = new Set(
  runbook
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!)),
);

test('the sources yield the reasons (the collector is not silently empty)', () => {
  expect(found.size).toBeGreaterThan(60);
  expect(found.get('SiteUnreachable')).toBeDefined();
  expect(found.get('DriftCorrected')).toBe('operator/src/controllers/gateway/apply.ts');
  expect([...types.keys()].sort()).toEqual(
    expect.arrayContaining(['Degraded', 'FailedOver', 'Progressing', 'Ready']),
  );
});

test('every reason the operator writes has a runbook entry', () => {
  const missing = [...found].filter(([r]) => !documented.has(r)).map(([r, at]) => `${r} (${at})`);
  expect(missing).toEqual([]);
});

test('every condition type has a runbook section', () => {
  const missing = [...types.keys()].filter((t) => !new RegExp(`^#+ .*\\b${t}\\b`, 'm').test(runbook));
  expect(missing).toEqual([]);
});
