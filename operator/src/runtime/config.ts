/**
 * Command-line flags and environment variables, with kubebuilder's flag names. A flag wins over
 * its environment variable, which wins over the default. `parseConfig` is pure: it reads only
 * its arguments and throws a `ConfigError` naming the flag (or variable) and the fix.
 */
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel, isLogLevel } from './logger.js';

export interface BindAddress {
  /** undefined = all interfaces. */
  host: string | undefined;
  port: number;
  /** As given, e.g. ":8080". */
  raw: string;
}

export interface Config {
  /** `--help` was given: print `usage()` and exit 0. */
  help: boolean;
  leaderElect: boolean;
  leaderElectionId: string;
  /** Namespace of the leader Lease (default: the operator namespace). */
  leaderElectionNamespace: string;
  /** null = disabled ("0"). */
  metricsBindAddress: BindAddress | null;
  /** null = disabled ("0"). */
  healthProbeBindAddress: BindAddress | null;
  /** The read-only routes API; null = disabled ("0"). */
  routesBindAddress: BindAddress | null;
  /** The validating admission webhook (HTTPS); null = disabled (the default outside the chart). */
  webhookBindAddress: BindAddress | null;
  webhookCertFile: string | undefined;
  webhookKeyFile: string | undefined;
  /** Path to a kubeconfig; undefined = in-cluster config (or ~/.kube/config when outside a cluster). */
  kubeconfig: string | undefined;
  /** The operator's namespace (where its Secrets and Lease live). */
  namespace: string;
  logLevel: LogLevel;
  maxConcurrentReconciles: number;
  /** Informer resync period in milliseconds. */
  resyncPeriodMs: number;
  /** How often member status is rewritten only to refresh lastProbeTime; 0: never (no writes at rest). */
  memberStatusHeartbeatMs: number;
  /** This pod's name (env POD_NAME, else HOSTNAME): Event reportingInstance, leader identity prefix. */
  podName: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface FlagSpec {
  name: string;
  type: 'boolean' | 'string';
  /** Value name shown by --help (default "string"). */
  display?: 'int' | 'duration';
  env?: string;
  default: string;
  help: string;
}

export const FLAGS: readonly FlagSpec[] = [
  {
    name: 'leader-elect',
    type: 'boolean',
    env: 'PAYGRID_LEADER_ELECT',
    default: 'false',
    help: 'Enable leader election, so only one replica reconciles at a time.',
  },
  {
    name: 'leader-election-id',
    type: 'string',
    env: 'PAYGRID_LEADER_ELECTION_ID',
    default: 'paygrid-operator-leader',
    help: 'Name of the Lease used for leader election.',
  },
  {
    name: 'leader-election-namespace',
    type: 'string',
    env: 'PAYGRID_LEADER_ELECTION_NAMESPACE',
    default: '',
    help: 'Namespace of the leader election Lease (default: --namespace).',
  },
  {
    name: 'metrics-bind-address',
    type: 'string',
    env: 'PAYGRID_METRICS_BIND_ADDRESS',
    default: ':8080',
    help: 'Address the metrics endpoint binds to (host:port, :port, or 0 to disable).',
  },
  {
    name: 'health-probe-bind-address',
    type: 'string',
    env: 'PAYGRID_HEALTH_PROBE_BIND_ADDRESS',
    default: ':8081',
    help: 'Address the /healthz and /readyz endpoints bind to (host:port, :port, or 0 to disable).',
  },
  {
    name: 'routes-bind-address',
    type: 'string',
    env: 'PAYGRID_ROUTES_BIND_ADDRESS',
    default: ':8082',
    help: 'Address the read-only routes API (/api/v1/...) binds to (host:port, :port, or 0 to disable).',
  },
  {
    name: 'webhook-bind-address',
    type: 'string',
    env: 'PAYGRID_WEBHOOK_BIND_ADDRESS',
    default: '0',
    help: 'Address the validating admission webhook (HTTPS) binds to (host:port, :port, or 0 to disable).',
  },
  {
    name: 'webhook-cert-file',
    type: 'string',
    env: 'PAYGRID_WEBHOOK_CERT_FILE',
    default: '',
    help: 'PEM serving certificate of the webhook (reloaded when it changes). Required with --webhook-bind-address.',
  },
  {
    name: 'webhook-key-file',
    type: 'string',
    env: 'PAYGRID_WEBHOOK_KEY_FILE',
    default: '',
    help: 'PEM private key of the webhook serving certificate. Required with --webhook-bind-address.',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    env: 'KUBECONFIG',
    default: '',
    help: 'Path to a kubeconfig (or a ":"-separated list, like KUBECONFIG). Only required if out-of-cluster.',
  },
  {
    name: 'namespace',
    type: 'string',
    env: 'POD_NAMESPACE',
    default: 'paygrid-system',
    help: "The operator's namespace (member kubeconfig Secrets, leader Lease).",
  },
  {
    name: 'log-level',
    type: 'string',
    env: 'PAYGRID_LOG_LEVEL',
    default: 'info',
    help: `Log level: ${LOG_LEVELS.join('|')}.`,
  },
  {
    name: 'max-concurrent-reconciles',
    type: 'string',
    display: 'int',
    env: 'PAYGRID_MAX_CONCURRENT_RECONCILES',
    default: '4',
    help: 'Workers per controller (1-1000).',
  },
  {
    name: 'resync-period',
    type: 'string',
    display: 'duration',
    env: 'PAYGRID_RESYNC_PERIOD',
    default: '10m',
    help: 'How often informers re-deliver every cached object (Go duration: 30s, 10m, 1h).',
  },
  {
    name: 'member-status-heartbeat',
    type: 'string',
    display: 'duration',
    env: 'PAYGRID_MEMBER_STATUS_HEARTBEAT',
    default: '0s',
    help: 'Rewrite EdgeSite/CloudCluster status this often only to refresh lastProbeTime (0s: only on a change, so a converged fleet writes nothing).',
  },
];

/** The `--help` text. */
export function usage(program = 'paygrid-operator'): string {
  const lines = [`Usage: ${program} [flags]`, '', 'Flags:'];
  for (const f of FLAGS) {
    const arg = f.type === 'boolean' ? '' : ` ${f.display ?? 'string'}`;
    const env = f.env ? ` [env ${f.env}]` : '';
    const quoted = f.type === 'string' && f.display === undefined;
    const def = f.default === '' ? '' : ` (default ${quoted ? JSON.stringify(f.default) : f.default})`;
    lines.push(`  --${f.name}${arg}`, `        ${f.help}${def}${env}`);
  }
  lines.push('  -h, --help', '        Show this help.');
  return `${lines.join('\n')}\n`;
}

const GO_DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration ("300ms", "1.5h", "2h45m", "0") into milliseconds; throws on bad syntax. */
export function parseGoDuration(s: string): number {
  const input = s.trim();
  if (input === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (input.startsWith('-') || input.startsWith('+')) {
    sign = input.startsWith('-') ? -1 : 1;
    pos = 1;
  }
  if (pos >= input.length) throw new Error(`invalid duration "${s}"`);
  while (pos < input.length) {
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`invalid duration "${s}"`);
    total += Number(m[1]) * (GO_DURATION_UNITS[m[2]] ?? NaN);
    pos = re.lastIndex;
  }
  if (!Number.isFinite(total)) throw new Error(`invalid duration "${s}"`);
  return sign * total;
}

/** Parses "host:port", ":port", "[::1]:port", or "0" (disabled → null). */
export function parseBindAddress(s: string): BindAddress | null {
  if (s === '0') return null;
  const m = /^(\[[0-9a-fA-F:.%a-zA-Z]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(s);
  if (!m || m[2] === undefined) throw new Error('expected host:port, :port or 0');
  const port = Number(m[2]);
  if (port > 65535) throw new Error('port must be 0-65535');
  const host = m[1] ? m[1] : undefined;
  return { host, port, raw: s };
}

function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses flags (`argv` without node and script, e.g. `process.argv.slice(2)`) and environment
 * variables into a validated Config.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const flagNames = new Set(FLAGS.map((f) => f.name));
  const boolFlags = new Set(FLAGS.filter((f) => f.type === 'boolean').map((f) => f.name));
  // Accept Go-style spellings: -flag (single dash) and --bool-flag=true|false.
  const args: string[] = [];
  for (const a of argv) {
    let arg = a;
    const single = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    if (single?.[1] && flagNames.has(single[1])) arg = `-${arg}`;
    const boolEq = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (boolEq?.[1] && boolEq[2] !== undefined && boolFlags.has(boolEq[1])) {
      const v = parseBool(boolEq[2]);
      if (v === undefined) throw new ConfigError(`--${boolEq[1]} "${boolEq[2]}": expected true or false`);
      arg = v ? `--${boolEq[1]}` : `--no-${boolEq[1]}`;
    }
    const prev = args.at(-1);
    if (prev?.startsWith('--') && boolFlags.has(prev.slice(2)) && parseBool(arg) !== undefined) {
      throw new ConfigError(`${prev} takes no value: write ${prev}=${arg}`);
    }
    args.push(arg);
  }

  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of FLAGS) options[f.name] = { type: f.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: false, allowNegative: true });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (err) {
    // (parseArgs errors may come from another realm, so no instanceof Error here.)
    const m = (err as { message?: unknown } | undefined)?.message;
    const msg = typeof m === 'string' ? m : String(err);
    throw new ConfigError(`${msg.replace(/\. To specify a positional argument.*$/s, '')} (see --help)`);
  }

  if (values.help === true) return { ...parseConfig([], {}), help: true };

  /** Returns [value, source-label] for a flag: flag, else env, else default. */
  const raw = (name: string): [string, string] => {
    const spec = FLAGS.find((f) => f.name === name);
    if (!spec) throw new Error(`unknown flag ${name}`);
    const v = values[name];
    if (v !== undefined) return [String(v), `--${name}`];
    const e = spec.env ? env[spec.env] : undefined;
    if (spec.env && e !== undefined && e !== '') return [e, spec.env];
    return [spec.default, `--${name}`];
  };
  const fail = (source: string, value: string, expected: string): never => {
    throw new ConfigError(`${source} ${JSON.stringify(value)}: ${expected}`);
  };

  const [leRaw, leSrc] = raw('leader-elect');
  const leaderElect = parseBool(leRaw) ?? fail(leSrc, leRaw, 'expected true or false');

  const [idRaw, idSrc] = raw('leader-election-id');
  if (idRaw.length > 253 || !DNS_SUBDOMAIN.test(idRaw)) {
    fail(
      idSrc,
      idRaw,
      'expected a Lease name: lower-case letters, digits, "-" and "." (e.g. paygrid-operator-leader)',
    );
  }

  const [nsRaw, nsSrc] = raw('namespace');
  if (nsRaw.length > 63 || !DNS_LABEL.test(nsRaw)) {
    fail(
      nsSrc,
      nsRaw,
      'expected a namespace name: lower-case letters, digits and "-", at most 63 (e.g. paygrid-system)',
    );
  }
  const [lnsGiven, lnsSrc] = raw('leader-election-namespace');
  if (lnsGiven !== '' && (lnsGiven.length > 63 || !DNS_LABEL.test(lnsGiven))) {
    fail(lnsSrc, lnsGiven, 'expected a namespace name: lower-case letters, digits and "-", at most 63');
  }
  const leaderElectionNamespace = lnsGiven === '' ? nsRaw : lnsGiven;

  const bind = (name: string): BindAddress | null => {
    const [v, src] = raw(name);
    try {
      return parseBindAddress(v);
    } catch (err) {
      return fail(src, v, err instanceof Error ? err.message : String(err));
    }
  };
  const metricsBindAddress = bind('metrics-bind-address');
  const healthProbeBindAddress = bind('health-probe-bind-address');
  const routesBindAddress = bind('routes-bind-address');
  const webhookBindAddress = bind('webhook-bind-address');
  const webhookCertFile = raw('webhook-cert-file')[0] || undefined;
  const webhookKeyFile = raw('webhook-key-file')[0] || undefined;
  if (webhookBindAddress && (!webhookCertFile || !webhookKeyFile)) {
    throw new ConfigError(
      `--webhook-bind-address ${JSON.stringify(webhookBindAddress.raw)} needs --webhook-cert-file and --webhook-key-file ` +
        '(PEM files; the Helm chart mounts them from its webhook Secret), or set it to 0 to disable the webhook',
    );
  }
  if (metricsBindAddress && healthProbeBindAddress && metricsBindAddress.port !== 0) {
    const sameHost =
      metricsBindAddress.host === healthProbeBindAddress.host ||
      isWildcard(metricsBindAddress.host) ||
      isWildcard(healthProbeBindAddress.host);
    if (sameHost && metricsBindAddress.port === healthProbeBindAddress.port) {
      throw new ConfigError(
        `--health-probe-bind-address ${JSON.stringify(healthProbeBindAddress.raw)} uses the same port as ` +
          `--metrics-bind-address ${JSON.stringify(metricsBindAddress.raw)}: give them different ports`,
      );
    }
  }

  const [kcRaw] = raw('kubeconfig');
  const kubeconfig = kcRaw === '' ? undefined : kcRaw;

  const [llRaw, llSrc] = raw('log-level');
  const level = llRaw.toLowerCase();
  const logLevel = isLogLevel(level) ? level : fail(llSrc, llRaw, `expected one of ${LOG_LEVELS.join(', ')}`);

  const [mcrRaw, mcrSrc] = raw('max-concurrent-reconciles');
  const mcr = /^\d+$/.test(mcrRaw) ? Number(mcrRaw) : NaN;
  if (!Number.isInteger(mcr) || mcr < 1 || mcr > 1000) {
    fail(mcrSrc, mcrRaw, 'expected a whole number from 1 to 1000');
  }

  const [rpRaw, rpSrc] = raw('resync-period');
  let resyncPeriodMs = 0;
  try {
    resyncPeriodMs = parseGoDuration(rpRaw);
  } catch {
    fail(rpSrc, rpRaw, 'expected a Go duration such as 30s, 10m or 1h');
  }
  if (resyncPeriodMs < 1000) fail(rpSrc, rpRaw, 'expected a duration of at least 1s (e.g. 10m)');

  const [hbRaw, hbSrc] = raw('member-status-heartbeat');
  let memberStatusHeartbeatMs = 0;
  try {
    memberStatusHeartbeatMs = parseGoDuration(hbRaw);
  } catch {
    fail(hbSrc, hbRaw, 'expected a Go duration such as 0s (off), 5m or 1h');
  }
  if (memberStatusHeartbeatMs > 0 && memberStatusHeartbeatMs < 1000) {
    fail(hbSrc, hbRaw, 'expected 0s (off) or a duration of at least 1s (e.g. 5m)');
  }

  const podName = env.POD_NAME || env.HOSTNAME || 'paygrid-operator';

  return {
    help: false,
    leaderElect,
    leaderElectionId: idRaw,
    leaderElectionNamespace,
    metricsBindAddress,
    healthProbeBindAddress,
    routesBindAddress,
    webhookBindAddress,
    webhookCertFile,
    webhookKeyFile,
    kubeconfig,
    namespace: nsRaw,
    logLevel,
    maxConcurrentReconciles: mcr,
    resyncPeriodMs,
    memberStatusHeartbeatMs,
    podName,
  };
}

function isWildcard(host: string | undefined): boolean {
  return host === undefined || host === '0.0.0.0' || host === '[::]' || host === '::';
}
