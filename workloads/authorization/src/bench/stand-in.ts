// Benchmark: the stand-in path. The authorization service runs as its own process with the ledger
// down (its endpoint refuses connections), so every authorization is decided alone, journaled
// (group commit, fsync per batch) and answered; autocannon drives it over loopback with a unique
// Idempotency-Key per request. Target: ≥ 10,000 authorizations/s at p99 ≤ 5 ms.
//
//   node workloads/authorization/dist/bench/stand-in.js [durationSeconds] [connections]
//   PAYGRID_BENCH_CPU_PROF=dir  → the service writes a --cpu-prof profile there on exit
import { freePort, ServiceProcess } from '@paygrid/workload-kit/testing';
import { fileURLToPath } from 'node:url';
import {
  authorizationContract,
  authorizationFiles,
  ContractVolume,
} from '../test-support/contract-volume.js';
import { cpuMs, cpuPerRequestLine, drive, httpFloor, ratioLine, report } from './load.js';

const durationSeconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);
const main = fileURLToPath(new URL('../main.js', import.meta.url));

const volume = new ContractVolume();
volume.publish(
  authorizationContract({
    'ledger-endpoint': `http://127.0.0.1:${await freePort()}`,
    'stand-in-max-offline-count': '1000000000',
    'stand-in-max-offline-amount-minor': '100000000000000',
  }),
);
const files = authorizationFiles();
const port = await freePort();
const prof = process.env.PAYGRID_BENCH_CPU_PROF;
const service = new ServiceProcess({
  main,
  port,
  env: {
    PAYGRID_CONFIG_DIR: volume.dir,
    PAYGRID_TOKENIZATION_KEY_FILE: files.keyFile,
    PAYGRID_JOURNAL_DIR: process.env.PAYGRID_BENCH_JOURNAL_DIR ?? files.journalDir,
    PAYGRID_LOG_LEVEL: 'warn',
    ...(prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof}` } : {}),
  },
});
service.start();
try {
  await service.waitReady();
  await drive(service.url, { connections, durationSeconds: 2 }); // warm-up (JIT, breaker opens)
  const cpuBefore = cpuMs(service.pid);
  const result = await drive(service.url, { connections, durationSeconds });
  const cpuAfter = cpuMs(service.pid);
  process.stdout.write(
    report(`authorization stand-in (${connections} connections, ${durationSeconds} s)`, result, {
      rps: 10_000,
      p99Ms: 5,
    }),
  );
  process.stdout.write(
    cpuPerRequestLine(
      'authorization (main + journal thread)',
      cpuAfter !== undefined && cpuBefore !== undefined ? cpuAfter - cpuBefore : undefined,
      result['2xx'],
    ),
  );
  process.stdout.write(ratioLine('stand-in', result, await httpFloor({ connections, durationSeconds })));
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const batches = /paygrid_authorization_journal_batch_size_count\{[^}]*\} (\d+)/.exec(metrics)?.[1];
  const writes = /paygrid_authorization_journal_batch_size_sum\{[^}]*\} (\d+)/.exec(metrics)?.[1];
  if (batches && writes)
    process.stdout.write(
      `journal: ${writes} writes in ${batches} commits (${Math.floor(Number(writes) / Number(batches))} per fsync)\n`,
    );
} finally {
  await service.stop('SIGTERM');
  volume.remove();
}
