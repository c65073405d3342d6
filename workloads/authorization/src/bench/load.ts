// What both benchmarks share: an authorization body, a request factory with a unique
// Idempotency-Key per request, the run through autocannon, and one line of figures with the machine.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';
import autocannon, { type Result } from 'autocannon';

export const BODY = JSON.stringify({
  amountMinor: 1250,
  currency: 'EUR',
  card: { pan: '4111111111111111', expiry: '12/39' },
  merchantId: 'm-bench',
  terminalId: 't-bench',
});

export async function drive(
  url: string,
  options: { connections: number; durationSeconds: number },
): Promise<Result> {
  const run = `${process.pid}-${Date.now()}`;
  let n = 0;
  return autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/authorizations',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'idempotency-key': `bench-${run}-${++n}` },
        }),
      },
    ],
  });
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.floor(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

export function report(name: string, r: Result, target: { rps: number; p99Ms: number }): string {
  const ok = r.requests.average >= target.rps && r.latency.p99 <= target.p99Ms;
  return (
    `${name}: ${Math.floor(r.requests.average)} req/s (median ${r.requests.p50}), latency p50 ${r.latency.p50} ms, ` +
    `p99 ${r.latency.p99} ms, max ${r.latency.max} ms; 2xx ${r['2xx']}, non-2xx ${r.non2xx}, errors ${r.errors}; ` +
    `target ≥ ${target.rps}/s at p99 ≤ ${target.p99Ms} ms: ${ok ? 'met' : 'MISSED'} [${machine()}]\n`
  );
}

/** The same load against http-floor.js (bare node:http in its own process), for the ratio. */
export async function httpFloor(options: { connections: number; durationSeconds: number }): Promise<Result> {
  const floor = new ServiceProcess({
    main: fileURLToPath(new URL('./http-floor.js', import.meta.url)),
    port: await freePort(),
    env: {},
  });
  floor.start();
  try {
    await floor.waitReady();
    await drive(floor.url, { ...options, durationSeconds: 1 });
    return await drive(floor.url, options);
  } finally {
    await floor.stop('SIGTERM');
  }
}

export function ratioLine(name: string, r: Result, floor: Result): string {
  return (
    `baseline, bare node:http (same load, same run): ${Math.floor(floor.requests.average)} req/s, p50 ` +
    `${floor.latency.p50} ms, p99 ${floor.latency.p99} ms; ${name} / baseline: ` +
    `${(r.requests.average / floor.requests.average).toFixed(2)}× throughput\n`
  );
}

/** A histogram's sum and count from a /metrics text (the first series of that name). */
export function histogramMean(metrics: string, name: string): { count: number; mean: number } | undefined {
  const sum = new RegExp(`^${name}_sum(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1];
  const count = new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1];
  if (sum === undefined || count === undefined || Number(count) === 0) return undefined;
  return { count: Number(count), mean: Number(sum) / Number(count) };
}

/**
 * CPU time a process has used (all its threads, user + system), from Linux's /proc; undefined
 * elsewhere. CPU per request is what a change saves, and unlike req/s it barely moves when other
 * work shares the cores.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime of a /proc/<pid>/stat line (fields 14 and 15, after the parenthesised name), in ms at 100 ticks/s. */
export function cpuMsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function cpuPerRequestLine(name: string, usedMs: number | undefined, requests: number): string {
  if (usedMs === undefined || requests === 0) return '';
  return `${name}: ${Math.round(usedMs)} ms CPU for ${requests} requests (${((usedMs * 1000) / requests).toFixed(0)} µs each)\n`;
}
