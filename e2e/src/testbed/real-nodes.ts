// The real-node testbed (PAYGRID_REAL_NODES=1 testbed.sh up, e2e/testbed/real-node.sh): what the
// suites need to know of it. Each member has one real node, <member>-real, at 10.88.<index>.1,
// labelled and tainted paygrid.io/node=real; its endpoint forwards to its pods on port 8080.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberWorkloads } from '@paygrid/operator/api';
import { TESTBED_MEMBERS, testbedDir, type TestbedMember } from './clusters.js';

type Member = TestbedMember;

/** The testbed was started with real nodes (real-node.sh keeps its state under <dir>/real). */
export function hasRealNodes(): boolean {
  return existsSync(join(testbedDir, 'real'));
}

export function realNodeName(member: Member): string {
  return `${member}-real`;
}

/** The real node's index (10.88.<index>.0/24): testbed.sh numbers the members from 1 in TESTBED_MEMBERS order. */
export function realNodeIndex(member: Member): number {
  return TESTBED_MEMBERS.indexOf(member) + 1;
}

/** The real node's address. */
export function realNodeAddress(member: Member): string {
  return `10.88.${realNodeIndex(member)}.1`;
}

/** What the testbed's member registration adds: pods to the real node, the endpoint in front of it. */
export function realMemberPatch(member: Member): { spec: { endpoint: string; workloads: MemberWorkloads } } {
  return {
    spec: {
      endpoint: `http://${realNodeAddress(member)}:8080`,
      workloads: {
        nodeSelector: { 'paygrid.io/node': 'real' },
        tolerations: [{ key: 'paygrid.io/node', operator: 'Equal', value: 'real', effect: 'NoSchedule' }],
      },
    },
  };
}

/** The directory of the testbed PostgreSQL's socket, where the admin (paygrid) connects without a password. */
export function realDatabaseSocketDir(): string {
  return readFileSync(join(testbedDir, 'postgres', 'socket-dir'), 'utf8').trim();
}

/** LEDGER_DATABASE_URL and ANALYTICS_DATABASE_URL of the testbed's PostgreSQL (real-postgres.sh). */
export function realDatabaseUrls(): Record<string, string> {
  const text = readFileSync(join(testbedDir, 'postgres', 'urls.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
