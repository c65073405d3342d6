// The chart README's RBAC tables are generated text: exactly permissionsTable() of
// required-permissions.ts (which chart.test.ts holds equal to the chart's RBAC, and
// controllers/required-calls.test.ts to the code's calls), between marker comments. When a
// permission changes, this fails and prints the table to paste.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HUB_PERMISSIONS,
  LEADER_ELECTION_ID,
  MEMBER_NON_RESOURCE_PERMISSIONS,
  MEMBER_PERMISSIONS,
  permissionsTable,
} from './required-permissions.js';

const README = join(fileURLToPath(new URL('../../../', import.meta.url)), 'charts', 'paygrid', 'README.md');
const readme = readFileSync(README, 'utf8');

const begin = (name: string) => `<!-- BEGIN rbac-table ${name}: generated from required-permissions.ts -->`;
const end = (name: string) => `<!-- END rbac-table ${name} -->`;

/** The text between a table's markers, or an error naming what is wrong. */
function section(text: string, name: string): string {
  const parts = text.split(begin(name));
  if (parts.length !== 2)
    throw new Error(`expected the marker ${begin(name)} once, found ${parts.length - 1}`);
  const rest = parts[1]!.split(end(name));
  if (rest.length < 2) throw new Error(`no ${end(name)} after ${begin(name)}`);
  return rest[0]!.trim();
}

/** Fails with the expected table to paste when the README's differs. */
function expectTable(text: string, name: string, expected: string): void {
  if (section(text, name) !== expected) {
    throw new Error(
      `charts/paygrid/README.md: the ${name} RBAC table is not the one required-permissions.ts gives. ` +
        `Paste this between "${begin(name)}" and "${end(name)}":\n\n${expected}\n`,
    );
  }
}

const HUB_TABLE = permissionsTable(HUB_PERMISSIONS);
const MEMBER_TABLE = permissionsTable(MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS);

describe('chart README RBAC tables', () => {
  it('hub: exactly permissionsTable(HUB_PERMISSIONS)', () => {
    expectTable(readme, 'hub', HUB_TABLE);
  });

  it('members: exactly permissionsTable(MEMBER_PERMISSIONS, MEMBER_NON_RESOURCE_PERMISSIONS)', () => {
    expectTable(readme, 'member', MEMBER_TABLE);
  });

  it('fails on a README whose table has a hand-written change, printing the table to paste', () => {
    const edited = readme.replace(
      '| paygrid.io/edgesites | list, watch |',
      '| paygrid.io/edgesites | get, list, watch |',
    );
    expect(edited).not.toBe(readme);
    expect(() => expectTable(edited, 'hub', HUB_TABLE)).toThrow(`Paste this between`);
    expect(() => expectTable(edited, 'hub', HUB_TABLE)).toThrow(HUB_TABLE);
    expect(() => expectTable('no markers here', 'hub', HUB_TABLE)).toThrow('expected the marker');
  });
});

describe('permissionsTable', () => {
  it('has one row per permission and per non-resource URL, in list order', () => {
    const lines = MEMBER_TABLE.split('\n');
    expect(lines.slice(0, 2)).toEqual(['| resource | verbs | where | why |', '| --- | --- | --- | --- |']);
    expect(lines).toHaveLength(2 + MEMBER_PERMISSIONS.length + MEMBER_NON_RESOURCE_PERMISSIONS.length);
    expect(lines[2]).toMatch(/^\| namespaces \| create, patch \| cluster-wide \| /);
    expect(lines.slice(-3).map((l) => l.split(' | ')[0])).toEqual([
      '| nonResourceURL `/readyz`',
      '| nonResourceURL `/healthz`',
      '| nonResourceURL `/version`',
    ]);
  });

  it('names a resource-name placeholder by its chart value, and the scope in words', () => {
    const lease = permissionsTable(
      HUB_PERMISSIONS.filter((p) => p.resourceNames?.includes(LEADER_ELECTION_ID)),
    );
    expect(lease.split('\n')[2]).toMatch(
      /^\| coordination\.k8s\.io\/leases \(only `operator\.leaderElectionId`\) \| get, update \| release namespace only \| /,
    );
  });

  it('escapes a | in a reason', () => {
    const t = permissionsTable([
      { group: '', resource: 'x', verbs: ['get'], scope: 'cluster', why: 'a | b' },
    ]);
    expect(t.split('\n')[2]).toBe('| x | get | cluster-wide | a \\| b |');
  });
});
