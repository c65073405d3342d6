#!/usr/bin/env node
// The validating webhook on its own, over HTTPS, for local testing and the e2e suite: the
// operator serves the same router on its own HTTPS server. Lookups go straight to the hub's
// API (no informer cache), each bounded by the rules' 3 s deadline.
//
//   node operator/dist/webhook/main.js --cert-file=tls.crt --key-file=tls.key \
//     --bind-address=127.0.0.1:9443 --kubeconfig=$KUBECONFIG --namespace=paygrid-system
//
// GET /healthz and /readyz answer "ok", GET /metrics serves the paygrid_webhook_* metrics.
// SIGTERM/SIGINT stop it gracefully.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import {
  GROUP,
  PLURALS,
  VERSION,
  type CloudCluster,
  type EdgeSite,
  type PaymentGateway,
} from '../api/index.js';
import { parseBindAddress } from '../runtime/config.js';
import { createHttpApp } from '../runtime/http-server.js';
import { createLogger, isLogLevel } from '../runtime/logger.js';
import { webhookRouter } from './index.js';
import { apiSecretReader } from './secret-reader.js';
import { createTlsServer } from './tls.js';

const USAGE = `Usage: node operator/dist/webhook/main.js [flags]

Serves paygrid's validating admission webhook over HTTPS.

Flags:
  --cert-file string      PEM certificate (chain) to serve (required)
  --key-file string       PEM private key of the certificate (required)
  --bind-address string   host:port or :port to listen on (default ":9443")
  --kubeconfig string     kubeconfig of the hub [env KUBECONFIG] (default: in-cluster)
  --context string        context of the kubeconfig to use (default: its current context)
  --namespace string      the operator's namespace, where kubeconfig Secrets live [env POD_NAMESPACE] (default "paygrid-system")
  --log-level string      debug, info, warn or error (default "info")
  -h, --help              show this help
`;

function fail(message: string): never {
  console.error(`webhook: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        'cert-file': { type: 'string' },
        'key-file': { type: 'string' },
        'bind-address': { type: 'string', default: ':9443' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

async function main(): Promise<void> {
  const flags = parse();
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  const certFile = flags['cert-file'] ?? fail('--cert-file is required');
  const keyFile = flags['key-file'] ?? fail('--key-file is required');
  let bind;
  try {
    bind = parseBindAddress(flags['bind-address']);
  } catch (err) {
    fail(`--bind-address ${JSON.stringify(flags['bind-address'])}: ${(err as Error).message}`);
  }
  if (!bind) fail('--bind-address cannot be 0 here');
  const level = flags['log-level'];
  if (!isLogLevel(level)) fail(`--log-level ${JSON.stringify(level)}: expected debug, info, warn or error`);
  const namespace = flags.namespace ?? (process.env.POD_NAMESPACE || 'paygrid-system');
  const logger = createLogger({ level, name: 'webhook' });

  const kc = new KubeConfig();
  const kubeconfig = flags.kubeconfig ?? process.env.KUBECONFIG;
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  if (flags.context) kc.setCurrentContext(flags.context);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const list = async <T>(plural: string): Promise<T[]> => {
    const res = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as {
      items?: T[];
    };
    return res.items ?? [];
  };

  const registry = new Registry();
  const router = webhookRouter({
    namespace,
    registry,
    logger,
    getSecret: apiSecretReader(core, namespace),
    listEdgeSites: () => list<EdgeSite>(PLURALS.EdgeSite),
    listCloudClusters: () => list<CloudCluster>(PLURALS.CloudCluster),
    listGateways: () => list<PaymentGateway>(PLURALS.PaymentGateway),
  });
  const app = createHttpApp({ registry, logger, routers: [{ path: '/', router }] });
  const { server } = createTlsServer(app, { certFile, keyFile }, { logger });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (bind.host !== undefined) server.listen(bind.port, bind.host.replace(/^\[(.*)\]$/, '$1'), resolve);
    else server.listen(bind.port, resolve);
  });
  const addr = server.address();
  logger.info(
    { address: typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : addr, namespace },
    'webhook serving',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'webhook stopping');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`webhook: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
