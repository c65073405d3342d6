// Test-only: a payment service as a real process (node <package>/dist/main.js), its logs captured
// to a file, readiness awaited on /readyz, and real signals (SIGTERM, SIGKILL) sent to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ServiceProcessOptions {
  /** Path of the compiled entry point, e.g. workloads/ledger/dist/main.js. */
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  readonly logFile: string;
  private exited: Promise<number | null> | undefined;

  constructor(private readonly options: ServiceProcessOptions) {
    this.logFile = join(mkdtempSync(join(tmpdir(), 'paygrid-svc-')), 'service.log');
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (appending to the same log file on a restart). */
  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [this.options.main], {
      env: { ...process.env, ...this.options.env, PAYGRID_HTTP_PORT: String(this.options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** Resolves when /readyz answers 200; rejects with the log's tail when the process exits first. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited?.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`service exited before ready:\n${this.logs().slice(-3000)}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`service not ready after ${timeoutMs} ms:\n${this.logs().slice(-3000)}`);
  }

  /** Sends a signal and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      return this.child?.exitCode ?? null;
    this.child.kill(signal);
    const code = (await this.exited) ?? null;
    // A graceful stop that failed says why in the service's own log: show it where the test failed.
    if (signal !== 'SIGKILL' && code !== 0)
      console.error(
        `${this.options.main} exited ${code} on ${signal}; its log ends:\n${this.logs().slice(-4000)}`,
      );
    return code;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
