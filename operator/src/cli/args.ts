// Command-line parsing of kubectl-paygrid: pure, so every error message is unit-tested. Flags may
// come before or after the subcommand and its arguments, like kubectl's (`--flag value`,
// `--flag=value`, `-n value`, `-n=value`); `--` ends the flags.

export const SUBCOMMANDS = ['status', 'drill', 'cordon', 'uncordon', 'move', 'console'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** Flags of every subcommand: where the hub is. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  /** Seconds per request to the hub (default 30). */
  requestTimeoutSeconds: number;
}

/** A member named on the command line: `edge-a`, `es/edge-a`, `cloudcluster/cloud-eu`, … */
export interface SiteArg {
  readonly name: string;
  /** Absent when given without a kind: an EdgeSite of that name, else a CloudCluster. */
  readonly kind?: 'EdgeSite' | 'CloudCluster';
}

export type Command =
  | { kind: 'help'; topic?: Subcommand }
  | { kind: 'version' }
  | { kind: 'status'; namespace?: string; allNamespaces: boolean }
  | { kind: 'drill'; site: SiteArg; namespace?: string; allNamespaces: boolean }
  | { kind: 'cordon' | 'uncordon'; site: SiteArg; dryRun: boolean }
  | {
      kind: 'console';
      /** Open the page in a browser where one can be started. */
      open: boolean;
      /** Local port of the port-forward; 0 picks a free one. */
      port: number;
      /** Namespace of the operator and its leader Lease. */
      operatorNamespace: string;
      lease: string;
    }
  | {
      kind: 'move';
      gateway: string;
      namespace?: string;
      from: string;
      to: string;
      wait: boolean;
      timeoutSeconds: number;
      dryRun: boolean;
    };

export interface Invocation {
  readonly command: Command;
  readonly globals: GlobalOptions;
}

/** A mistake on the command line; `topic` is the help to point to. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly topic?: Subcommand,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

interface FlagSpec {
  /** Long name, without dashes. */
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
}

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', takesValue: true },
  { name: 'context', takesValue: true },
  { name: 'request-timeout', takesValue: true },
  { name: 'help', short: 'h', takesValue: false },
];
const NAMESPACE: FlagSpec = { name: 'namespace', short: 'n', takesValue: true };
const ALL_NAMESPACES: FlagSpec = { name: 'all-namespaces', short: 'A', takesValue: false };
const DRY_RUN: FlagSpec = { name: 'dry-run', takesValue: false };

const COMMAND_FLAGS: Record<Subcommand, FlagSpec[]> = {
  status: [NAMESPACE, ALL_NAMESPACES],
  drill: [NAMESPACE, ALL_NAMESPACES],
  cordon: [DRY_RUN],
  uncordon: [DRY_RUN],
  console: [
    { name: 'open', takesValue: false },
    { name: 'port', takesValue: true },
    { name: 'operator-namespace', takesValue: true },
    { name: 'lease', takesValue: true },
  ],
  move: [
    NAMESPACE,
    { name: 'from', takesValue: true },
    { name: 'to', takesValue: true },
    { name: 'wait', takesValue: false },
    { name: 'timeout', takesValue: true },
    DRY_RUN,
  ],
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `30s`, `5m`, `1h30m`, `90` (seconds) → seconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const SITE_KINDS: Record<string, 'EdgeSite' | 'CloudCluster'> = {
  es: 'EdgeSite',
  edgesite: 'EdgeSite',
  edgesites: 'EdgeSite',
  'edgesite.paygrid.io': 'EdgeSite',
  'edgesites.paygrid.io': 'EdgeSite',
  cc: 'CloudCluster',
  cloudcluster: 'CloudCluster',
  cloudclusters: 'CloudCluster',
  'cloudcluster.paygrid.io': 'CloudCluster',
  'cloudclusters.paygrid.io': 'CloudCluster',
};

/** `edge-a`, `es/edge-a`, `edgesite/edge-a`, `cc/cloud-eu`, … */
export function parseSiteArg(text: string, topic?: Subcommand): SiteArg {
  const slash = text.indexOf('/');
  const name = slash < 0 ? text : text.slice(slash + 1);
  let kind: SiteArg['kind'];
  if (slash >= 0) {
    kind = SITE_KINDS[text.slice(0, slash).toLowerCase()];
    if (kind === undefined) {
      throw new UsageError(
        `"${text.slice(0, slash)}" is not a kind of site: use edgesite/<name> (es/) or cloudcluster/<name> (cc/)`,
        topic,
      );
    }
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new UsageError(`"${name}" is not a valid site name (lowercase letters, digits, - and .)`, topic);
  }
  return kind ? { name, kind } : { name };
}

function findFlag(specs: readonly FlagSpec[], arg: string): FlagSpec | undefined {
  if (arg.startsWith('--')) return specs.find((s) => s.name === arg.slice(2));
  return specs.find((s) => s.short !== undefined && s.short === arg.slice(1));
}

/** Parses argv (without node and the script): throws UsageError. */
export function parseArgs(argv: readonly string[]): Invocation {
  // The first non-flag word is the subcommand unless it is the value of a global flag.
  let subcommand: Subcommand | undefined;
  let subIndex = -1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('-')) {
      const bare = a.split('=')[0] ?? a;
      const spec = findFlag([...GLOBAL_FLAGS, NAMESPACE, ...Object.values(COMMAND_FLAGS).flat()], bare);
      if (spec?.takesValue && !a.includes('=')) i++;
      continue;
    }
    if (!(SUBCOMMANDS as readonly string[]).includes(a)) {
      if (a === 'help') {
        subIndex = i;
        break;
      }
      if (a === 'version') return { command: { kind: 'version' }, globals: { requestTimeoutSeconds: 30 } };
      throw new UsageError(`unknown command "${a}": use one of ${SUBCOMMANDS.join(', ')}`);
    }
    subcommand = a as Subcommand;
    subIndex = i;
    break;
  }

  if (subIndex >= 0 && argv[subIndex] === 'help') {
    const topic = argv[subIndex + 1];
    if (topic !== undefined && !(SUBCOMMANDS as readonly string[]).includes(topic)) {
      throw new UsageError(`no help for "${topic}": use one of ${SUBCOMMANDS.join(', ')}`);
    }
    return {
      command: topic ? { kind: 'help', topic: topic as Subcommand } : { kind: 'help' },
      globals: { requestTimeoutSeconds: 30 },
    };
  }

  const specs = [...GLOBAL_FLAGS, ...(subcommand ? COMMAND_FLAGS[subcommand] : [])];
  const values = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (i === subIndex) continue;
    const a = argv[i] ?? '';
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    if (a === '--version') return { command: { kind: 'version' }, globals: { requestTimeoutSeconds: 30 } };
    const eq = a.indexOf('=');
    const bare = eq < 0 ? a : a.slice(0, eq);
    const spec = findFlag(specs, bare);
    if (spec === undefined) {
      throw new UsageError(
        subcommand ? `unknown flag ${bare} for "${subcommand}"` : `unknown flag ${bare}`,
        subcommand,
      );
    }
    let value: string | true;
    if (spec.takesValue) {
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('-') && next !== '-')) {
          throw new UsageError(`flag ${bare} needs a value`, subcommand);
        }
        value = next;
        i++;
      }
      if (value === '') throw new UsageError(`flag ${bare} needs a value`, subcommand);
    } else {
      if (eq >= 0) {
        const v = a.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`flag ${bare} takes no value`, subcommand);
        if (v === 'false') continue;
      }
      value = true;
    }
    if (values.has(spec.name) && spec.takesValue) {
      throw new UsageError(`flag --${spec.name} is given more than once`, subcommand);
    }
    values.set(spec.name, value);
  }

  const str = (name: string): string | undefined => {
    const v = values.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const timeoutText = str('request-timeout');
  let requestTimeoutSeconds = 30;
  if (timeoutText !== undefined) {
    const s = parseDuration(timeoutText);
    if (s === undefined || s < 1) {
      throw new UsageError(
        `--request-timeout must be a duration such as 30s or 1m, not "${timeoutText}"`,
        subcommand,
      );
    }
    requestTimeoutSeconds = s;
  }
  const globals: GlobalOptions = {
    requestTimeoutSeconds,
    ...(str('kubeconfig') !== undefined ? { kubeconfig: str('kubeconfig') } : {}),
    ...(str('context') !== undefined ? { context: str('context') } : {}),
  };

  if (values.has('help') || subcommand === undefined) {
    if (subcommand === undefined && positional.length > 0) {
      throw new UsageError(`unknown command "${positional[0]}": use one of ${SUBCOMMANDS.join(', ')}`);
    }
    return { command: subcommand ? { kind: 'help', topic: subcommand } : { kind: 'help' }, globals };
  }

  const namespace = str('namespace');
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new UsageError(`namespace "${namespace}" is not a valid namespace name`, subcommand);
  }
  const allNamespaces = values.get('all-namespaces') === true;
  if (allNamespaces && namespace !== undefined) {
    throw new UsageError('--namespace and --all-namespaces cannot be used together', subcommand);
  }
  const nsOpts: { namespace?: string } = namespace !== undefined ? { namespace } : {};
  const exactly = (n: number, what: string): void => {
    if (positional.length < n) throw new UsageError(`"${subcommand}" needs ${what}`, subcommand);
    if (positional.length > n) {
      throw new UsageError(`unexpected argument "${positional[n]}" for "${subcommand}"`, subcommand);
    }
  };

  switch (subcommand) {
    case 'status':
      exactly(0, '');
      return { command: { kind: 'status', allNamespaces, ...nsOpts }, globals };
    case 'drill':
      exactly(1, 'a site: kubectl paygrid drill <site>');
      return {
        command: {
          kind: 'drill',
          site: parseSiteArg(positional[0] ?? '', 'drill'),
          allNamespaces,
          ...nsOpts,
        },
        globals,
      };
    case 'console': {
      exactly(0, '');
      const portText = str('port') ?? '0';
      const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
      if (!(port >= 0 && port <= 65535)) {
        throw new UsageError(`--port must be a port number (0 to 65535), not "${portText}"`, 'console');
      }
      const operatorNamespace = str('operator-namespace') ?? 'paygrid-system';
      if (operatorNamespace.length > 63 || !DNS_LABEL.test(operatorNamespace)) {
        throw new UsageError(
          `--operator-namespace "${operatorNamespace}" is not a valid namespace name`,
          'console',
        );
      }
      const lease = str('lease') ?? 'paygrid-operator-leader';
      if (lease.length > 253 || !DNS_SUBDOMAIN.test(lease)) {
        throw new UsageError(`--lease "${lease}" is not a valid Lease name`, 'console');
      }
      return {
        command: { kind: 'console', open: values.has('open'), port, operatorNamespace, lease },
        globals,
      };
    }
    case 'cordon':
    case 'uncordon': {
      exactly(1, `an EdgeSite: kubectl paygrid ${subcommand} <site>`);
      const site = parseSiteArg(positional[0] ?? '', subcommand);
      if (site.kind === 'CloudCluster') {
        throw new UsageError(
          `only EdgeSites can be ${subcommand}ed; ${site.name} is a CloudCluster`,
          subcommand,
        );
      }
      return {
        command: {
          kind: subcommand,
          site: { name: site.name, kind: 'EdgeSite' },
          dryRun: values.has('dry-run'),
        },
        globals,
      };
    }
    case 'move': {
      exactly(1, 'a gateway: kubectl paygrid move <gateway> --from <site> --to <site>');
      // <gateway> or <namespace>/<gateway> (as the operator's messages write it).
      const arg = positional[0] ?? '';
      const slash = arg.indexOf('/');
      const gateway = slash < 0 ? arg : arg.slice(slash + 1);
      if (slash >= 0) {
        const ns = arg.slice(0, slash);
        if (ns.length > 63 || !DNS_LABEL.test(ns)) {
          throw new UsageError(`"${ns}" in "${arg}" is not a valid namespace name`, 'move');
        }
        if (namespace !== undefined && namespace !== ns) {
          throw new UsageError(`"${arg}" is in namespace ${ns}, but --namespace is ${namespace}`, 'move');
        }
        nsOpts.namespace = ns;
      }
      if (gateway.length > 253 || !DNS_SUBDOMAIN.test(gateway)) {
        throw new UsageError(`"${gateway}" is not a valid PaymentGateway name`, 'move');
      }
      const from = str('from');
      const to = str('to');
      if (from === undefined) throw new UsageError('"move" needs --from <site>', 'move');
      if (to === undefined) throw new UsageError('"move" needs --to <site>', 'move');
      for (const [flag, v] of [
        ['--from', from],
        ['--to', to],
      ] as const) {
        if (v.length > 253 || !DNS_SUBDOMAIN.test(v)) {
          throw new UsageError(`${flag} "${v}" is not a valid site name`, 'move');
        }
      }
      if (from === to) throw new UsageError(`--from and --to are both ${from}`, 'move');
      const wait = values.has('wait');
      const timeoutText = str('timeout');
      if (timeoutText !== undefined && !wait)
        throw new UsageError('--timeout only applies with --wait', 'move');
      let timeoutSeconds = 300;
      if (timeoutText !== undefined) {
        const s = parseDuration(timeoutText);
        if (s === undefined || s < 1) {
          throw new UsageError(
            `--timeout must be a duration such as 90s or 5m, not "${timeoutText}"`,
            'move',
          );
        }
        timeoutSeconds = s;
      }
      const dryRun = values.has('dry-run');
      if (dryRun && wait) throw new UsageError('--dry-run and --wait cannot be used together', 'move');
      return {
        command: { kind: 'move', gateway, from, to, wait, timeoutSeconds, dryRun, ...nsOpts },
        globals,
      };
    }
  }
}

const GLOBAL_HELP = `Global flags:
      --kubeconfig <path>       kubeconfig file(s) of the hub (default: $KUBECONFIG, then ~/.kube/config)
      --context <name>          kubeconfig context to use (default: the current context)
      --request-timeout <dur>   give up a request to the hub after this long (default 30s)
  -h, --help                    help for a command`;

export const HELP: Record<Subcommand | 'root', string> = {
  root: `kubectl paygrid: see and steer paygrid's payment gateways and sites.

Commands:
  status      gateways, sites and placements, in one view
  drill       what-if: what the operator would do if a site failed now (changes nothing)
  cordon      drain an EdgeSite for maintenance (make-before-break)
  uncordon    let placements come back to an EdgeSite
  move        move a gateway's authorization from one site to another (Manual mode)
  console     open the live topology and failover console (port-forward to the operator's leader)

Run "kubectl paygrid <command> --help" for a command's flags.

${GLOBAL_HELP}`,
  status: `Show gateways (ready, serving sites, epoch, failed over), sites (health, ready, placements,
version) and every placement (gateway, component, member, state, reason, since).

Usage:
  kubectl paygrid status [-n <namespace> | -A]

Flags:
  -n, --namespace <ns>     gateways of this namespace (default: the context's namespace)
  -A, --all-namespaces     gateways of every namespace

${GLOBAL_HELP}`,
  drill: `What-if: what the operator's planner would do for every gateway placed on a site if that
site failed now. Uses the same planner as the operator, with the live gateways and sites; changes
nothing.

Usage:
  kubectl paygrid drill <site> [-n <namespace>]

  <site> is an EdgeSite or CloudCluster name; prefix es/ or cc/ when both kinds use the name.

Flags:
  -n, --namespace <ns>     only gateways of this namespace (default: every namespace)
  -A, --all-namespaces     every namespace (the default)

${GLOBAL_HELP}`,
  cordon: `Cordon an EdgeSite (spec.cordoned: true): nothing new is placed there, and the gateways placed
there move away make-before-break: each replacement serves before the site's placement drains.

Usage:
  kubectl paygrid cordon <site> [--dry-run]

Flags:
      --dry-run            show what would happen, change nothing

${GLOBAL_HELP}`,
  uncordon: `Uncordon an EdgeSite (spec.cordoned: false): it takes placements again; gateways that left it
move back make-before-break once it has been healthy for their failback stabilization window.

Usage:
  kubectl paygrid uncordon <site> [--dry-run]

Flags:
      --dry-run            show what would happen, change nothing

${GLOBAL_HELP}`,
  console: `Open the operator's read-only console: members by region and zone, every gateway's serving
and standby sites, the failover timeline, and drill previews, updating live. Port-forwards to the
pod that holds the operator's leader Lease (its routes port, 8082) and prints the URL; stays in
the foreground until interrupted (Ctrl-C).

Usage:
  kubectl paygrid console [--open] [--port <local port>]

Flags:
      --open                       open the URL in a browser (xdg-open, or open on macOS) where one exists
      --port <n>                   local port (default 0: a free one)
      --operator-namespace <ns>    namespace of the operator (default paygrid-system)
      --lease <name>               the operator's leader Lease (default paygrid-operator-leader)

${GLOBAL_HELP}`,
  move: `Move a gateway's authorization placement from one site to another, make-before-break: the
operator adds the placement on --to, and drains --from once --to serves. The move is checked
locally with the operator's planner first, then requested with the annotation
paygrid.io/move-request on the PaymentGateway; the operator executes it and removes the annotation.
This is how an SRE fails over and back by hand in Manual mode.

Usage:
  kubectl paygrid move [<namespace>/]<gateway> [-n <namespace>] --from <site> --to <site> [--wait [--timeout 5m]]

Flags:
  -n, --namespace <ns>     namespace of the gateway (default: the context's namespace)
      --from <site>        the member the placement leaves
      --to <site>          the member it goes to
      --wait               wait until --to serves and --from is drained (or draining)
      --timeout <dur>      how long --wait waits (default 5m)
      --dry-run            check the move, request nothing

${GLOBAL_HELP}`,
};
