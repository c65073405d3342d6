// kubectl-paygrid: the kubectl plugin of paygrid (`kubectl paygrid status|drill|cordon|uncordon|move`).
// The I/O only: parsing, planning and formatting are pure functions in args.ts, commands.ts and
// format.ts. Talks to the hub with the user's kubeconfig, like kubectl.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  toRfc3339,
  type CloudCluster,
  type EdgeSite,
  type PaymentGateway,
} from '../api/index.js';
import { errorText, statusCode } from '../runtime/errors.js';
import { ObjectClient } from '../runtime/object-client.js';
import { HELP, parseArgs, UsageError, type Command, type GlobalOptions } from './args.js';
import {
  browserOpener,
  checkMove,
  forwardedPort,
  leaderPodName,
  cordonPreview,
  drillReport,
  moveProgress,
  pendingMoveError,
  uncordonPreview,
  type HubSnapshot,
} from './commands.js';
import { statusView } from './format.js';
import {
  formatMoveRequest,
  MOVE_REJECTED_REASON,
  MOVE_REQUEST_ANNOTATION,
  type MoveRequestAnnotation,
} from '../api/move-request.js';

const FIELD_MANAGER = 'kubectl-paygrid';
const POLL_INTERVAL_MS = 1000;

/** An error to print as `error: <message>` with exit code 1. */
class CliError extends Error {}

interface Hub {
  readonly kc: KubeConfig;
  readonly objects: KubernetesObjectApi;
  readonly writer: ObjectClient;
  readonly core: CoreV1Api;
  /** The context's namespace, or "default". */
  readonly namespace: string;
  readonly timeoutMs: number;
}

/** Like kubectl: --kubeconfig, else $KUBECONFIG (a list), else ~/.kube/config, else in-cluster. */
function loadHub(g: GlobalOptions, env: NodeJS.ProcessEnv): Hub {
  const kc = new KubeConfig();
  const home = join(homedir(), '.kube', 'config');
  if (g.kubeconfig !== undefined) {
    if (!existsSync(g.kubeconfig)) throw new CliError(`kubeconfig ${g.kubeconfig} does not exist`);
    kc.loadFromFile(g.kubeconfig);
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f.length > 0 && existsSync(f));
    if (files.length === 0) throw new CliError(`no file of KUBECONFIG=${env.KUBECONFIG} exists`);
    for (const [i, file] of files.entries()) {
      if (i === 0) kc.loadFromFile(file);
      else {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    }
  } else if (existsSync(home)) {
    kc.loadFromFile(home);
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    throw new CliError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config');
  }
  if (g.context !== undefined) {
    if (!kc.getContextObject(g.context)) {
      throw new CliError(
        `context "${g.context}" is not in the kubeconfig (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(g.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new CliError('the kubeconfig has no current context: pass --context');
  }
  const timeoutMs = g.requestTimeoutSeconds * 1000;
  return {
    kc,
    objects: KubernetesObjectApi.makeApiClient(kc),
    writer: ObjectClient.forConfig(kc, { fieldManager: FIELD_MANAGER, timeoutMs }),
    core: kc.makeApiClient(CoreV1Api),
    namespace: kc.getContextObject(kc.currentContext)?.namespace || 'default',
    timeoutMs,
  };
}

/** Gives up a request after the request timeout. */
async function deadline<T>(hub: Hub, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `${what}: no answer from ${hub.kc.getCurrentCluster()?.server} in ${hub.timeoutMs / 1000}s`,
          ),
        ),
      hub.timeoutMs,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (err) {
    throw explain(hub, what, err);
  } finally {
    clearTimeout(timer);
  }
}

/** A request error in words: what failed, and what to do. */
function explain(hub: Hub, what: string, err: unknown): Error {
  if (err instanceof CliError) return err;
  const server = hub.kc.getCurrentCluster()?.server ?? 'the apiserver';
  const code = statusCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Unrecognized API version and kind')) {
    return new CliError(`${what}: the paygrid CRDs (paygrid.io/v1alpha1) are not installed on ${server}`);
  }
  if (code === 401)
    return new CliError(`${what}: the hub refused the credentials of context ${hub.kc.currentContext}`);
  if (code === 403) return new CliError(`${what}: forbidden: ${errorText(err)}`);
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  if (
    typeof cause === 'string' &&
    /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET)$/.test(cause)
  ) {
    return new CliError(`${what}: cannot reach the hub at ${server} (${cause})`);
  }
  return new CliError(`${what}: ${errorText(err)}`);
}

async function list<T>(hub: Hub, kind: string, namespace?: string): Promise<T[]> {
  const res = await deadline(
    hub,
    `listing ${kind}s`,
    hub.objects.list<KubernetesObject>(API_VERSION, kind, namespace) as Promise<
      KubernetesListObject<KubernetesObject>
    >,
  );
  return res.items.map((o) => ({ ...o, apiVersion: API_VERSION, kind }) as T);
}

async function readGateway(hub: Hub, namespace: string, name: string): Promise<PaymentGateway> {
  try {
    return (await hub.objects.read({
      apiVersion: API_VERSION,
      kind: 'PaymentGateway',
      metadata: { namespace, name },
    })) as unknown as PaymentGateway;
  } catch (err) {
    if (statusCode(err) === 404) throw new CliError(`PaymentGateway ${namespace}/${name} not found`);
    throw explain(hub, `reading PaymentGateway ${namespace}/${name}`, err);
  }
}

/**
 * Everything the planner needs. Gateways of every namespace when allowed (they reserve capacity
 * on the sites); else those of `namespace`, with a note.
 */
async function readHub(hub: Hub, namespace: string | undefined): Promise<HubSnapshot & { partial: boolean }> {
  const [edgeSites, cloudClusters] = await Promise.all([
    list<EdgeSite>(hub, 'EdgeSite'),
    list<CloudCluster>(hub, 'CloudCluster'),
  ]);
  try {
    return {
      gateways: await list<PaymentGateway>(hub, 'PaymentGateway'),
      edgeSites,
      cloudClusters,
      partial: false,
    };
  } catch (err) {
    if (namespace === undefined || !(err instanceof CliError) || !err.message.includes('forbidden'))
      throw err;
    return {
      gateways: await list<PaymentGateway>(hub, 'PaymentGateway', namespace),
      edgeSites,
      cloudClusters,
      partial: true,
    };
  }
}

const PARTIAL_NOTE =
  'note: you may not list PaymentGateways in every namespace; capacity reserved by other namespaces is not counted';

async function status(hub: Hub, cmd: Extract<Command, { kind: 'status' }>): Promise<number> {
  const namespace = cmd.allNamespaces ? undefined : (cmd.namespace ?? hub.namespace);
  const [gateways, edgeSites, cloudClusters] = await Promise.all([
    list<PaymentGateway>(hub, 'PaymentGateway', namespace),
    list<EdgeSite>(hub, 'EdgeSite'),
    list<CloudCluster>(hub, 'CloudCluster'),
  ]);
  console.log(
    statusView({
      gateways,
      edgeSites,
      cloudClusters,
      allNamespaces: cmd.allNamespaces,
      ...(namespace !== undefined ? { namespace } : {}),
      now: new Date(),
    }),
  );
  return 0;
}

async function drill(hub: Hub, cmd: Extract<Command, { kind: 'drill' }>): Promise<number> {
  const snapshot = await readHub(hub, cmd.namespace ?? hub.namespace);
  const namespace = cmd.namespace ?? (snapshot.partial ? hub.namespace : undefined);
  const report = drillReport(snapshot, cmd.site, toRfc3339(new Date()), namespace);
  if (!report.ok) throw new CliError(report.text);
  console.log(report.text);
  if (snapshot.partial) console.log(PARTIAL_NOTE);
  return 0;
}

async function cordon(hub: Hub, cmd: Extract<Command, { kind: 'cordon' | 'uncordon' }>): Promise<number> {
  const snapshot = await readHub(hub, hub.namespace);
  const name = cmd.site.name;
  const site = snapshot.edgeSites.find((s) => s.metadata?.name === name);
  if (site === undefined) {
    if (snapshot.cloudClusters.some((c) => c.metadata?.name === name)) {
      throw new CliError(`only EdgeSites can be ${cmd.kind}ed; ${name} is a CloudCluster`);
    }
    throw new CliError(`EdgeSite ${name} not found`);
  }
  const want = cmd.kind === 'cordon';
  if ((site.spec.cordoned ?? false) === want) {
    console.log(`edgesite.paygrid.io/${name} already ${cmd.kind}ed`);
    return 0;
  }
  const lines = want ? cordonPreview(snapshot, name, toRfc3339(new Date())) : uncordonPreview(snapshot, name);
  if (!cmd.dryRun) {
    try {
      await hub.writer.mergePatch(
        { apiVersion: API_VERSION, kind: 'EdgeSite', metadata: { name } },
        { spec: { cordoned: want } },
      );
    } catch (err) {
      throw explain(hub, `patching EdgeSite ${name}`, err);
    }
  }
  console.log(`edgesite.paygrid.io/${name} ${cmd.kind}ed${cmd.dryRun ? ' (dry run)' : ''}`);
  for (const line of lines) console.log(line);
  if (snapshot.partial) console.log(PARTIAL_NOTE);
  return 0;
}

async function move(hub: Hub, cmd: Extract<Command, { kind: 'move' }>): Promise<number> {
  const namespace = cmd.namespace ?? hub.namespace;
  const gw = await readGateway(hub, namespace, cmd.gateway);
  const snapshot = await readHub(hub, namespace);
  const now = new Date();
  const pending = pendingMoveError(gw, now);
  if (pending) throw new CliError(pending);
  const check = checkMove(snapshot, gw, cmd.from, cmd.to, toRfc3339(now));
  if (!check.ok) throw new CliError(check.message);
  console.log(check.message);
  if (cmd.dryRun) {
    console.log('(dry run: the move checks out; nothing was requested)');
    return 0;
  }
  const req: MoveRequestAnnotation = {
    from: cmd.from,
    to: cmd.to,
    requestedAt: toRfc3339(now),
    id: randomUUID(),
  };
  try {
    await hub.writer.mergePatch(
      { apiVersion: API_VERSION, kind: 'PaymentGateway', metadata: { namespace, name: cmd.gateway } },
      {
        metadata: {
          resourceVersion: gw.metadata?.resourceVersion,
          annotations: { [MOVE_REQUEST_ANNOTATION]: formatMoveRequest(req) },
        },
      },
    );
  } catch (err) {
    if (statusCode(err) === 409) {
      throw new CliError(
        `PaymentGateway ${namespace}/${cmd.gateway} changed while the move was checked; run the command again`,
      );
    }
    throw explain(hub, `annotating PaymentGateway ${namespace}/${cmd.gateway}`, err);
  }
  console.log(
    `paymentgateway.paygrid.io/${cmd.gateway} move requested (id ${req.id}): the operator adds ${cmd.to}, ` +
      `then drains ${cmd.from} once ${cmd.to} serves`,
  );
  if (!cmd.wait) return 0;

  const until = Date.now() + cmd.timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const current = await readGateway(hub, namespace, cmd.gateway);
    const progress = moveProgress(current, req);
    if (progress.text !== last) {
      console.log(`  ${progress.text}`);
      last = progress.text;
    }
    if (progress.phase === 'done') {
      console.log(`moved: authorization of ${namespace}/${cmd.gateway} serves from ${cmd.to}`);
      return 0;
    }
    if (progress.phase === 'rejected') {
      const why = await rejection(hub, namespace, cmd.gateway, req.id);
      throw new CliError(
        `the move was not executed: ${progress.text}: ` +
          (why ??
            `see kubectl get events -n ${namespace} --field-selector involvedObject.name=${cmd.gateway}`),
      );
    }
    if (Date.now() >= until) {
      throw new CliError(
        `timed out after ${cmd.timeoutSeconds}s waiting for the move; it goes on: ` +
          `kubectl paygrid status -n ${namespace}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

/**
 * The message of the operator's MoveRejected Event naming this request, if any. The operator
 * records Events asynchronously, so it may land just after the annotation is removed: look a few
 * times.
 */
async function rejection(hub: Hub, namespace: string, name: string, id: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    try {
      const events = await deadline(
        hub,
        'listing Events',
        hub.core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.kind=PaymentGateway,involvedObject.name=${name},reason=${MOVE_REJECTED_REASON}`,
        }),
      );
      const found = events.items.find((e) => e.message?.includes(id));
      if (found?.message) return found.message;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The operator's routes port in its pod (the chart's containerPort), where the console is served. */
const ROUTES_PORT = 8082;

/**
 * `kubectl paygrid console`: finds the leader's pod from its Lease, runs `kubectl port-forward` to
 * it (kubectl does the tunnelling and its auth, like any kubectl command), prints the URL, and
 * opens it when asked. Runs until interrupted or until the port-forward ends.
 */
async function openConsole(
  hub: Hub,
  cmd: Extract<Command, { kind: 'console' }>,
  globals: GlobalOptions,
): Promise<number> {
  const coordination = hub.kc.makeApiClient(CoordinationV1Api);
  const lease = await deadline(
    hub,
    `reading Lease ${cmd.operatorNamespace}/${cmd.lease}`,
    coordination.readNamespacedLease({ namespace: cmd.operatorNamespace, name: cmd.lease }),
  ).catch((err: unknown) => {
    if (err instanceof CliError && /404|not found/i.test(err.message)) {
      throw new CliError(
        `no Lease ${cmd.operatorNamespace}/${cmd.lease}: is the operator installed there (--operator-namespace)?`,
      );
    }
    throw err;
  });
  const pod = leaderPodName(lease.spec?.holderIdentity);
  if (pod === undefined) {
    throw new CliError(
      `nobody holds Lease ${cmd.operatorNamespace}/${cmd.lease}: no operator replica leads now`,
    );
  }
  // An operator run outside the cluster (make demo) leads too, but has no pod to forward to.
  const podExists = await deadline(
    hub,
    `reading pod ${cmd.operatorNamespace}/${pod}`,
    hub.core.readNamespacedPod({ namespace: cmd.operatorNamespace, name: pod }).then(
      () => true,
      (err: unknown) => {
        if (statusCode(err) === 404) return false;
        throw err;
      },
    ),
  );
  if (!podExists) {
    throw new CliError(
      `the leader ${lease.spec?.holderIdentity ?? pod} is not a pod in ${cmd.operatorNamespace}: the operator runs ` +
        `outside the cluster; open http://<its --routes-bind-address>/ui/ (make demo: http://127.0.0.1:8082/ui/)`,
    );
  }
  const args = [
    ...(globals.kubeconfig ? ['--kubeconfig', globals.kubeconfig] : []),
    ...(globals.context ? ['--context', globals.context] : []),
    '-n',
    cmd.operatorNamespace,
    'port-forward',
    `pod/${pod}`,
    `${cmd.port === 0 ? '' : cmd.port}:${ROUTES_PORT}`,
  ];
  const child = spawn('kubectl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let buffered = '';
  let announced = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const port = forwardedPort(line);
      if (port === undefined || announced) continue;
      announced = true;
      const url = `http://127.0.0.1:${port}/ui/`;
      console.log(`paygrid console of ${pod} (leader): ${url}\n(Ctrl-C to stop the port-forward)`);
      if (cmd.open) openBrowser(url);
    }
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new CliError(`cannot run kubectl port-forward: ${err.message} (is kubectl on PATH?)`)),
    );
    child.once('exit', (c, signal) => resolve(signal === 'SIGTERM' ? 0 : (c ?? 1)));
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  return code;
}

function openBrowser(url: string): void {
  const opener = browserOpener(process.platform);
  const found = opener && spawnSync(opener, ['--version'], { stdio: 'ignore' }).error === undefined;
  if (!opener || !found) {
    console.log(
      `no browser opener found (${opener ?? 'none for ' + process.platform}): open ${url} yourself`,
    );
    return;
  }
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', (err) => console.log(`could not open a browser (${err.message}): open ${url} yourself`));
  child.unref();
  console.log(`opening ${url} with ${opener}`);
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command;
  let globals: GlobalOptions;
  try {
    ({ command, globals } = parseArgs(argv));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      console.error(`See 'kubectl paygrid ${err.topic ? `${err.topic} ` : ''}--help'.`);
      return 1;
    }
    throw err;
  }
  if (command.kind === 'help') {
    console.log(HELP[command.topic ?? 'root']);
    return 0;
  }
  if (command.kind === 'version') {
    console.log(`kubectl-paygrid ${version()}`);
    return 0;
  }
  try {
    const hub = loadHub(globals, env);
    switch (command.kind) {
      case 'status':
        return await status(hub, command);
      case 'drill':
        return await drill(hub, command);
      case 'cordon':
      case 'uncordon':
        return await cordon(hub, command);
      case 'move':
        return await move(hub, command);
      case 'console':
        return await openConsole(hub, command, globals);
    }
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof CliError) && env.PAYGRID_DEBUG) console.error(err);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
