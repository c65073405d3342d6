// The three payment service images (workloads/Dockerfile, built by `make image-local` on stand-ins
// for the base images) as a cluster runs them: user 10001, no shell, read-only root filesystem, no
// capabilities, the contract and the Secrets mounted read-only as files. The containers talk to each
// other and to a real PostgreSQL on the host: an authorization approved online lands in the
// ledger as a hold, analytics counts it, and each container stops on SIGTERM with exit 0.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, freePort, type TestDatabase } from '@paygrid/workload-kit/testing';
import { repo } from './harness/install.js';
import { waitFor } from './harness/wait.js';

const PREFIX = process.env.E2E_WORKLOAD_IMAGE_PREFIX ?? 'localhost/paygrid';
const SERVICES = ['authorization', 'ledger', 'analytics'] as const;
const RUN_ID = randomBytes(3).toString('hex');
const UID = 10001;
const tmpDirs: string[] = [];
const containers: string[] = [];

function podman(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(repo, 'e2e', 'image', 'podman.sh'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function mustPodman(args: string[]): string {
  const r = podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A directory of files readable by the container's user only (as root: owned by 10001, 0400). */
function filesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paygrid-wl-image-'));
  tmpDirs.push(dir);
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, name);
    writeFileSync(file, content, { mode: 0o400 });
    if (process.getuid?.() === 0) chownSync(file, UID, UID);
    else chmodSync(file, 0o444);
  }
  return dir;
}

function contract(component: string, extra: Record<string, string> = {}): string {
  return filesDir({
    gateway: 'payments/checkout',
    component,
    member: component === 'authorization' ? 'edge-a' : 'cloud-eu',
    'member-kind': component === 'authorization' ? 'EdgeSite' : 'CloudCluster',
    region: 'eu-west',
    role: 'Active',
    epoch: '3',
    ...extra,
  });
}

function run(service: string, port: number, volumes: string[], env: Record<string, string> = {}): void {
  const container = `paygrid-wl-${service}-${RUN_ID}`;
  containers.push(container);
  mustPodman([
    'run',
    '--detach',
    '--name',
    container,
    '--network=host',
    '--read-only',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    '--tmpfs',
    '/tmp:rw,size=16m',
    ...volumes.flatMap((v) => ['--volume', v]),
    '--env',
    `PAYGRID_HTTP_PORT=${port}`,
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    `${PREFIX}/${service}:e2e`,
  ]);
}

async function ready(port: number, container: string): Promise<void> {
  await waitFor(
    `${container} ready`,
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${podman(['logs', container]).stderr.slice(-3000)}`);
  });
}

describe('payment service images', () => {
  let ledgerDb: TestDatabase;
  let analyticsDb: TestDatabase;

  beforeAll(async () => {
    ledgerDb = await createTestDatabase('images_ledger');
    analyticsDb = await createTestDatabase('images_analytics');
  });

  afterAll(async () => {
    for (const c of containers) podman(['rm', '--force', '--ignore', c]);
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
    await ledgerDb?.drop();
    await analyticsDb?.drop();
  });

  it.each(SERVICES)('%s runs as 10001 from dist/main.js, with no shell', (service) => {
    const image = `${PREFIX}/${service}:e2e`;
    const [config] = JSON.parse(mustPodman(['image', 'inspect', image])) as {
      Config: { User: string; Entrypoint: string[]; WorkingDir: string };
    }[];
    expect(config!.Config.User).toBe(`${UID}:${UID}`);
    expect(config!.Config.Entrypoint).toEqual(['/nodejs/bin/node', 'dist/main.js']);
    expect(config!.Config.WorkingDir).toBe(`/app/workloads/${service}`);
    const shell = podman(['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'true']);
    expect(shell.code).not.toBe(0);
  });

  it('authorizes online through the ledger image, analytics counts it, and all stop on SIGTERM', async () => {
    const [ledgerPort, authPort, analyticsPort] = [await freePort(), await freePort(), await freePort()];
    const ledger = `paygrid-wl-ledger-${RUN_ID}`;
    const authorization = `paygrid-wl-authorization-${RUN_ID}`;
    const analytics = `paygrid-wl-analytics-${RUN_ID}`;
    const ledgerUrl = `http://127.0.0.1:${ledgerPort}`;

    run('ledger', ledgerPort, [
      `${contract('ledger')}:/etc/paygrid:ro`,
      `${filesDir({ url: ledgerDb.url })}:/var/run/secrets/paygrid/database:ro`,
    ]);
    await ready(ledgerPort, ledger);

    const journal = mkdtempSync(join(tmpdir(), 'paygrid-wl-journal-'));
    tmpDirs.push(journal);
    mkdirSync(journal, { recursive: true });
    if (process.getuid?.() === 0) chownSync(journal, UID, UID);
    else chmodSync(journal, 0o777);
    run('authorization', authPort, [
      `${contract('authorization', {
        'ledger-endpoint': ledgerUrl,
        'stand-in-floor-limit-minor': '5000',
        'stand-in-max-offline-count': '10',
        'stand-in-max-offline-amount-minor': '20000',
        'stand-in-currency': 'EUR',
      })}:/etc/paygrid:ro`,
      `${filesDir({ key: randomBytes(32).toString('hex') })}:/var/run/secrets/paygrid/tokenization:ro`,
      `${journal}:/var/lib/paygrid/journal`,
    ]);
    await ready(authPort, authorization);

    run(
      'analytics',
      analyticsPort,
      [
        `${contract('analytics', { 'ledger-endpoint': ledgerUrl })}:/etc/paygrid:ro`,
        `${filesDir({ url: analyticsDb.url })}:/var/run/secrets/paygrid/database:ro`,
      ],
      { PAYGRID_LEDGER_URL: ledgerUrl },
    );
    await ready(analyticsPort, analytics);

    const res = await fetch(`http://127.0.0.1:${authPort}/v1/authorizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        amountMinor: 1250,
        currency: 'EUR',
        card: { pan: '4111111111111111', expiry: '12/39' },
        merchantId: 'm-1',
        terminalId: 't-1',
      }),
    });
    const answer = (await res.json()) as { id: string; status: string; mode: string };
    expect(res.status).toBe(201);
    expect(answer).toMatchObject({ status: 'approved', mode: 'online' });
    const hold = (await (
      await fetch(`${ledgerUrl}/v1/transfers/${encodeURIComponent(answer.id)}`)
    ).json()) as {
      transfer: { type: string; amountMinor: number; state: string };
    };
    expect(hold.transfer).toMatchObject({ type: 'pending', amountMinor: 1250, state: 'pending' });

    await waitFor(
      'analytics counts the approval',
      async () => {
        const summary = (await (await fetch(`http://127.0.0.1:${analyticsPort}/v1/summary`)).json()) as {
          totals: { approvals: number };
        };
        return summary.totals.approvals === 1;
      },
      { timeoutMs: 20_000 },
    );

    for (const container of [authorization, analytics, ledger]) {
      const t0 = Date.now();
      mustPodman(['stop', '--time', '20', container]);
      expect(Date.now() - t0).toBeLessThan(15_000);
      const [state] = JSON.parse(mustPodman(['inspect', container])) as { State: { ExitCode: number } }[];
      expect(state!.State.ExitCode).toBe(0);
      const logs = podman(['logs', container]);
      expect(logs.stdout + logs.stderr).not.toContain('4111111111111111');
    }
  });
});
