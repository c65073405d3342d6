// The payment services in real containers under the operator, on the real-node testbed
// (PAYGRID_REAL_NODES=1, e2e/testbed/real-node.sh): the example gateway's authorization pods run
// on edge-a's real node, the ledger on cloud-eu's, and a card payment sent to edge-a's endpoint is
// approved online with a pending hold in the ledger; no log of theirs shows the card number.
// On a testbed without real nodes only the registration is checked (the suites' pods stay KWOK's).
import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { kubectl, MEMBERS } from './testbed/clusters.js';
import { hasRealNodes, realMemberPatch, realNodeAddress, realNodeName } from './testbed/real-nodes.js';
import { applyExampleGateway, applyMembers, registerMemberSecrets } from './harness/install.js';
import { OperatorProcess } from './harness/operator-process.js';
import { waitFor } from './harness/wait.js';

const NS = 'payments';
const TEST_PAN = '4111111111111111';

function memberSpec(m: (typeof MEMBERS)[number]): { endpoint?: string; workloads?: unknown } {
  const kind = m === 'cloud-eu' ? 'cloudcluster' : 'edgesite';
  return (JSON.parse(kubectl('hub', ['get', kind, m, '-o', 'json']).stdout) as { spec: object }).spec;
}

function pods(m: (typeof MEMBERS)[number], component: string): V1Pod[] {
  const r = kubectl(m, ['-n', NS, 'get', 'pods', '-l', `paygrid.io/component=${component}`, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { items: V1Pod[] }).items : [];
}

const runningReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

if (!hasRealNodes()) {
  describe('member registration without real nodes', () => {
    it('leaves the examples as they are: no node selector, the example endpoints', () => {
      applyMembers();
      for (const m of MEMBERS) {
        expect(memberSpec(m).workloads).toBeUndefined();
        expect(memberSpec(m).endpoint).toMatch(/^https:\/\/.*\.example\.com$/);
      }
    });
  });
} else {
  describe('payment services on real nodes', () => {
    let operator: OperatorProcess;

    beforeAll(async () => {
      registerMemberSecrets();
      applyMembers();
      operator = await new OperatorProcess({ identity: 'real-pods' }).start();
      applyExampleGateway();
    });

    afterAll(async () => {
      kubectl('hub', ['-n', NS, 'delete', 'pgw', 'checkout', '--ignore-not-found', '--timeout=60s']);
      await operator?.stop();
    });

    it('registers each member with its real node and endpoint', () => {
      for (const m of MEMBERS) expect(memberSpec(m)).toMatchObject(realMemberPatch(m).spec);
    });

    it("runs authorization on edge-a's real node and the ledger on cloud-eu's, in real containers", async () => {
      for (const [m, component] of [
        ['edge-a', 'authorization'],
        ['cloud-eu', 'ledger'],
      ] as const) {
        const running = await waitFor(
          `${component} Running and Ready on ${realNodeName(m)}`,
          () => {
            const ps = pods(m, component).filter(runningReady);
            return ps.length > 0 && ps.every((p) => p.spec?.nodeName === realNodeName(m)) && ps;
          },
          { timeoutMs: 180_000, intervalMs: 1000 },
        );
        // A real container: the runtime gave it an id, and exec runs in its own PID namespace.
        const cid = running[0]!.status?.containerStatuses?.[0]?.containerID ?? '';
        expect(cid).toMatch(/^containerd:\/\//);
        const exec = kubectl(m, [
          '-n',
          NS,
          'exec',
          running[0]!.metadata!.name!,
          '--',
          '/nodejs/bin/node',
          '-p',
          "require('fs').readFileSync('/proc/1/cmdline', 'utf8').split('\\0').join(' ')",
        ]);
        // PID 1 of the container is the service itself (a sandbox of its own).
        expect(exec).toMatchObject({ code: 0, stderr: '' });
        expect(exec.stdout).toMatch(/node/);
        expect(exec.stdout).not.toMatch(/sleep/);
      }
    });

    it("approves a test card online through edge-a's endpoint, holds it pending in the ledger, and logs no PAN", async () => {
      const key = randomUUID();
      const send = () =>
        fetch(`http://${realNodeAddress('edge-a')}:8080/v1/authorizations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({
            amountMinor: 1250,
            currency: 'EUR',
            card: { pan: TEST_PAN, expiry: '12/39' },
            merchantId: 'm-real-pods',
            terminalId: 't-real-pods',
          }),
        });
      // One send only (a stand-in answer would be the key's answer for good). Pods that started
      // before the ledger have their ledger breaker open for a while: wait until every one on
      // edge-a has it closed, read from the pod's own /metrics at its pod IP.
      await waitFor(
        "edge-a's authorization pods with the ledger breaker closed",
        async () => {
          const ready = pods('edge-a', 'authorization').filter(runningReady);
          if (ready.length === 0) return false;
          for (const p of ready) {
            const text = await (await fetch(`http://${p.status!.podIP!}:8080/metrics`)).text();
            if (!/^paygrid_authorization_ledger_circuit_open(\{[^}]*\})? 0$/m.test(text)) return false;
          }
          return true;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      const res = await send();
      const answer = (await res.json()) as { status: string; mode: string; id: string; state: string };
      expect([200, 201]).toContain(res.status);
      expect(answer).toMatchObject({ status: 'approved', mode: 'online', state: 'authorized' });
      const got = await fetch(`http://${realNodeAddress('cloud-eu')}:8080/v1/transfers/${answer.id}`);
      expect(got.status).toBe(200);
      // Online: a pending hold of the amount, booked by the ledger before the answer.
      expect(((await got.json()) as { transfer: unknown }).transfer).toMatchObject({
        id: answer.id,
        type: 'pending',
        state: 'pending',
        amountMinor: 1250,
        currency: 'EUR',
      });

      const logs = ['edge-a', 'cloud-eu'].flatMap((m) =>
        pods(m as 'edge-a', m === 'edge-a' ? 'authorization' : 'ledger').map(
          (p) => kubectl(m as 'edge-a', ['-n', NS, 'logs', p.metadata!.name!]).stdout,
        ),
      );
      expect(logs.join('').length).toBeGreaterThan(0);
      for (const l of logs) expect(l).not.toContain(TEST_PAN);
    });
  });
}
