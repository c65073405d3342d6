// What the fault matrix does to the real-node testbed's sites (e2e/testbed/real-node.sh,
// testbed.sh): crash and restore a site, cut and mend its links, SIGKILL a container through its
// own containerd, read the authorization pods' journals from the node's disk, and a network
// namespace inside a site for terminals that sit there.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { kubectl, testbedDir, type TestbedMember } from '../testbed/clusters.js';
import {
  realDatabaseSocketDir,
  realDatabaseUrls,
  realNodeAddress,
  realNodeIndex,
} from '../testbed/real-nodes.js';
import { readJournalBacklog } from '../terminal/ledger-snapshot.js';
import type { JournalBacklog } from '../terminal/reconcile.js';

export type Member = TestbedMember;
export const NS = 'payments';

const testbedScripts = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testbed');
const index = (m: Member) => String(realNodeIndex(m));

const run = promisify(execFile);

// Asynchronous: the terminals in this process keep paying while a fault is being made.
async function script(file: string, args: string[]): Promise<string> {
  try {
    return (await run('bash', [join(testbedScripts, file), ...args], { encoding: 'utf8' })).stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr ?? String(err)}`);
  }
}

/** The site's apiserver, kubelet, containers, containerd and endpoint stopped (testbed.sh crash). */
export const crashSite = async (m: Member) => void (await script('testbed.sh', ['crash', m]));
/** Started again on the same state; stale node Leases go so KWOK's controller takes its nodes back. */
export async function restoreSite(m: Member): Promise<void> {
  await script('testbed.sh', ['restore', m]);
  kubectl(m, ['-n', 'kube-node-lease', 'delete', 'lease', '--all', '--wait=false']);
}
/** The operator's path (fault proxy) and the site's own links (iptables, real-node.sh cut). */
export const partitionSite = async (m: Member) => void (await script('testbed.sh', ['partition', m]));
export const healSite = async (m: Member) => void (await script('testbed.sh', ['heal', m]));
/** The network namespace on the site's bridge (10.88.<n>.250), made once. */
export const insideNamespace = (m: Member): Promise<string> =>
  script('real-node.sh', ['inside', m, index(m)]);

export function pods(m: Member, component: string): V1Pod[] {
  const r = kubectl(m, ['-n', NS, 'get', 'pods', '-l', `paygrid.io/component=${component}`, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { items: V1Pod[] }).items : [];
}

export const runningReady = (p: V1Pod): boolean =>
  !p.metadata?.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** SIGKILL the main process of a pod's container, through the node's containerd (as the OOM killer would). */
export function killContainer(m: Member, pod: V1Pod): void {
  const id = (pod.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^containerd:\/\//, '');
  if (!id) throw new Error(`pod ${pod.metadata?.name} on ${m} has no running container`);
  const sock = join(testbedDir, 'real', m, 'containerd.sock');
  execFileSync('ctr', ['-a', sock, '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id], { stdio: 'pipe' });
}

/** Restarts of a pod's first container, as the kubelet reports them. */
export const restarts = (pod: V1Pod | undefined): number =>
  pod?.status?.containerStatuses?.[0]?.restartCount ?? 0;

/**
 * Every authorization journal on a member's real node: the pods' emptyDir volumes under the
 * kubelet's root (a pod's journal lives as long as the pod, restarts included).
 */
export function journals(m: Member): JournalBacklog[] {
  const root = join(testbedDir, 'real', m, 'kubelet', 'pods');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((uid) => {
    const db = join(root, uid, 'volumes', 'kubernetes.io~empty-dir', 'journal', 'journal.db');
    return existsSync(db) ? [readJournalBacklog(db, `${m}/${uid}`)] : [];
  });
}

/**
 * A TCP relay from `host:port` to a loopback port: the operator's routes API listens on loopback,
 * and terminals inside a site's namespace reach it at cloud-eu's node address, so a cut of the
 * site's links cuts their path to it too. Terminals keep one URL when the operator is replaced.
 */
export async function relay(
  host: string,
  toPort: () => number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((c) => {
    // Read per connection: a replaced operator listens on another port.
    const up = connect(toPort(), '127.0.0.1');
    open.add(c).add(up);
    c.pipe(up).pipe(c);
    const end = () => {
      c.destroy();
      up.destroy();
      open.delete(c);
      open.delete(up);
    };
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        for (const c of open) c.destroy();
      }),
  };
}

export const cloudAddress = () => realNodeAddress('cloud-eu');

/**
 * A database of its own on the testbed's PostgreSQL, owned by the role of one of its URLs
 * (LEDGER_DATABASE_URL or ANALYTICS_DATABASE_URL), and its URL: the ledger's epoch fence is per
 * database, so this gateway's ledger (at its own epochs) shares it with no other gateway's. Made
 * over the admin's Unix socket (trust, real-postgres.sh).
 */
export async function ownDatabase(
  name: string,
  as: 'LEDGER_DATABASE_URL' | 'ANALYTICS_DATABASE_URL',
): Promise<string> {
  const url = new URL(realDatabaseUrls()[as]!);
  const socketDir = realDatabaseSocketDir();
  const admin = (sql: string) =>
    run('psql', ['-h', socketDir, '-p', url.port, '-U', 'paygrid', '-d', 'postgres', '-qAt', '-c', sql], {
      encoding: 'utf8',
    });
  const exists = await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (exists.stdout.trim() !== '1') await admin(`CREATE DATABASE ${name} OWNER ${url.username}`);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A Secret with one key, from stdin (its value never on a command line). */
export function applySecret(namespace: string, name: string, key: string, value: string): void {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    data: { [key]: Buffer.from(value).toString('base64') },
  };
  const r = kubectl('hub', ['apply', '--server-side', '-f', '-'], JSON.stringify(secret));
  if (r.code !== 0) throw new Error(`secret ${namespace}/${name}: ${r.stderr}`);
}
