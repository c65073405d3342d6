// The operator as the suites run it: a real process (the compiled
// operator/dist/main.js) against the testbed hub, with its own ports, so a
// test can run two of them, SIGTERM or SIGKILL one, and read its logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { freePort } from './ports.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeconfigPath, testbedDir } from '../testbed/clusters.js';
import { waitFor } from './wait.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
import { OPERATOR_NAMESPACE } from './install.js';
export { OPERATOR_NAMESPACE };

export interface OperatorOptions {
  identity?: string;
  /** The hub kubeconfig (default: the testbed's admin one). */
  kubeconfig?: string;
  leaderElect?: boolean;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** The operator's compiled entry point (default: this checkout's operator/dist/main.js). */
  main?: string;
}

export class OperatorProcess {
  private child?: ChildProcess;
  readonly logs: string[] = [];
  metricsPort = 0;
  healthPort = 0;
  routesPort = 0;
  exitCode: number | null = null;
  /** Set on exit, whether by code or by signal (exitCode stays null after a signal). */
  exited = false;

  constructor(private readonly opts: OperatorOptions = {}) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get identity(): string {
    return this.opts.identity ?? 'e2e-operator';
  }

  async start(): Promise<this> {
    this.metricsPort = await freePort();
    this.healthPort = await freePort();
    this.routesPort = await freePort();
    const args = [
      this.opts.main ?? join(repo, 'operator', 'dist', 'main.js'),
      `--kubeconfig=${this.opts.kubeconfig ?? kubeconfigPath}`,
      `--namespace=${OPERATOR_NAMESPACE}`,
      `--metrics-bind-address=127.0.0.1:${this.metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${this.healthPort}`,
      `--routes-bind-address=127.0.0.1:${this.routesPort}`,
      `--leader-elect=${this.opts.leaderElect ?? true}`,
      '--log-level=debug',
      ...(this.opts.extraArgs ?? []),
    ];
    this.child = spawn(process.execPath, args, {
      // The testbed kubeconfig's current context is the hub.
      env: { ...process.env, POD_NAME: this.identity, ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kept on disk too, for debugging a failed run: <testbed>/logs/operator-<identity>.log
    mkdirSync(join(testbedDir, 'logs'), { recursive: true });
    const file = createWriteStream(join(testbedDir, 'logs', `operator-${this.identity}.log`), { flags: 'a' });
    this.child.stdout!.pipe(file);
    const collect = (buf: Buffer) => {
      for (const line of buf.toString().split('\n')) if (line) this.logs.push(line);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.on('exit', (code) => {
      this.exitCode = code;
      this.exited = true;
    });
    await waitFor(`operator ${this.identity} /healthz`, async () => {
      if (this.exited) throw new Error(`operator exited ${this.exitCode}: ${this.tail()}`);
      const res = await fetch(`http://127.0.0.1:${this.healthPort}/healthz`);
      return res.ok;
    });
    return this;
  }

  async ready(): Promise<boolean> {
    const res = await fetch(`http://127.0.0.1:${this.healthPort}/readyz`).catch(() => undefined);
    return res?.ok ?? false;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** Sum of a metric's samples whose labels include every given label. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-z_:]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const lbl = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => lbl.includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }

  /** Log lines where the apiserver refused a call (403 Forbidden): none under sufficient RBAC. */
  refusedCalls(): string[] {
    return this.logs.filter((l) => /forbidden|HTTP 403/i.test(l));
  }

  tail(n = 30): string {
    return this.logs.slice(-n).join('\n');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.exited) return this.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
    return this.exitCode;
  }
}
