// Wires the operator: hub caches, leader election, the member and gateway
// controllers, probes and metrics. The runtime pieces know nothing of
// payments; this is where they meet the paygrid controllers.
import { randomUUID } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './runtime/kubeconfig.js';
import {
  API_VERSION,
  FIELD_MANAGER,
  type CloudCluster,
  type EdgeSite,
  type MemberKind,
} from './api/index.js';
import { AppliedCache } from './controllers/gateway/applied-cache.js';
import { OwnedObjectsAudit } from './controllers/members/owned-objects-audit.js';
import { gatewaysAffectedByMember } from './controllers/affected-gateways.js';
import { makeGatewayReconciler } from './controllers/gateway/gateway-controller.js';
import { PruneMemory } from './controllers/gateway/prune.js';
import { createHubInformers, type HubInformers } from './controllers/hub-informers.js';
import { MemberClients } from './controllers/members/member-clients.js';
import {
  makeMemberReconciler,
  memberKey,
  type MemberReconciler,
} from './controllers/members/member-controller.js';
import { MemberWorkloads } from './controllers/members/member-workloads.js';
import { PaygridMetrics } from './controllers/paygrid-metrics.js';
import { MemberRegistry } from './members/index.js';
import { memberChangeMattersToGateways, PLACEMENT_STATES } from './placement/index.js';
import type { Config } from './runtime/config.js';
import { Controller } from './runtime/controller.js';
import { EventRecorder, KubeEventSink } from './runtime/events.js';
import { Checks, createHttpApp, listen, syncedCheck, type HttpServerHandle } from './runtime/http-server.js';
import { objectKey } from './runtime/informer.js';
import { KubeLeaseClient, LeaderElector } from './runtime/leader-election.js';
import type { Logger } from './runtime/logger.js';
import { RuntimeMetrics } from './runtime/metrics.js';
import { ObjectClient } from './runtime/object-client.js';
import { GracefulShutdown, ShutdownPhase } from './runtime/shutdown.js';
import { createTlsServer, lookupsFromCaches, webhookRouter } from './webhook/index.js';
import { apiSecretReader } from './webhook/secret-reader.js';
import { consoleRouter, routesRouter } from './http/index.js';
import { dropConnections, makeApiClient, observeClientRequests } from './runtime/api-client.js';

/** The controllers, started only while this process leads. */
class Controllers {
  readonly registry: MemberRegistry;
  readonly workloads: MemberWorkloads;
  readonly members: Controller;
  readonly gateways: Controller;
  private readonly audit: OwnedObjectsAudit;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly memberReconcile: MemberReconciler;
  private readonly log: Logger;

  constructor(
    private readonly hub: HubInformers,
    kc: KubeConfig,
    config: Config,
    log: Logger,
    metrics: RuntimeMetrics,
    paygrid: PaygridMetrics,
    events: EventRecorder,
  ) {
    const hubClient = ObjectClient.forConfig(kc, { fieldManager: FIELD_MANAGER });
    const hubCore = makeApiClient(kc, CoreV1Api);
    const applied = new AppliedCache();
    this.registry = new MemberRegistry({
      hubKubeConfig: kc,
      namespace: config.namespace,
      heartbeatMilliseconds: config.memberStatusHeartbeatMs,
      logger: log.child({ component: 'members' }),
      onProbe: (member, result) => {
        if (result.latencyMilliseconds !== undefined) {
          paygrid.memberProbeDuration.observe(
            { member: member.key, result: result.ok ? 'success' : result.reason },
            result.latencyMilliseconds / 1000,
          );
        }
      },
    });
    this.workloads = new MemberWorkloads({
      logger: log.child({ component: 'member-workloads' }),
      resyncPeriodMs: config.resyncPeriodMs,
      // A member's Deployment moved: most often a rollout an earlier pass started has progressed
      // (a failover target became available), so the pass that finishes it goes first.
      onGatewayWorkloadChange: (key) => this.gateways.enqueue(key, { urgent: true }),
    });
    this.log = log;
    const memberReconcile = (this.memberReconcile = makeMemberReconciler({
      hub,
      registry: this.registry,
      client: hubClient,
      namespace: config.namespace,
      heartbeatMs: config.memberStatusHeartbeatMs,
    }));
    this.members = new Controller({
      name: 'member',
      logger: log,
      metrics,
      maxConcurrentReconciles: config.maxConcurrentReconciles,
      reconcile: async (key, ctx) => {
        const result = await memberReconcile(key, ctx);
        const snap = this.registry.get(key);
        if (snap) this.workloads.sync(key, snap.kubeConfig, snap.fingerprint);
        else this.workloads.remove(key);
        return result;
      },
    });
    const memberClients = new MemberClients(this.registry);
    this.audit = new OwnedObjectsAudit({
      registry: this.registry,
      clients: memberClients,
      applied,
      intervalMs: config.resyncPeriodMs,
      logger: log.child({ component: 'owned-objects-audit' }),
      onDrift: (key) => this.gateways.enqueue(key),
    });
    this.gateways = new Controller({
      name: 'paymentgateway',
      logger: log,
      metrics,
      maxConcurrentReconciles: config.maxConcurrentReconciles,
      reconcile: makeGatewayReconciler({
        hub,
        hubClient,
        registry: this.registry,
        memberClients,
        workloads: this.workloads,
        applied,
        events,
        metrics: paygrid,
        pruneMemory: new PruneMemory(),
        readHubSecret: (namespace, name) => apiSecretReader(hubCore, namespace)(name),
      }),
    });

    // paygrid_placements{state}: recounted from the cache on every gateway change.
    const countPlacements = () => {
      const counts = new Map<string, number>(PLACEMENT_STATES.map((st) => [st, 0]));
      for (const gw of hub.gateways.list()) {
        for (const p of gw.status?.placements ?? []) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
      }
      for (const [state, n] of counts) paygrid.placements.set({ state }, n);
    };
    const enqueueAllGateways = () => {
      for (const gw of hub.gateways.list()) this.gateways.enqueue(objectKey(gw));
    };
    const enqueueAffectedGateways = (kind: MemberKind, name: string) => {
      for (const gw of gatewaysAffectedByMember(hub.gateways.list(), kind, name))
        this.gateways.enqueue(objectKey(gw));
    };
    const enqueueAllMembers = () => {
      for (const s of hub.edgeSites.list())
        this.members.enqueue(memberKey('EdgeSite', s.metadata?.name ?? ''));
      for (const c of hub.cloudClusters.list())
        this.members.enqueue(memberKey('CloudCluster', c.metadata?.name ?? ''));
    };
    const memberHandler = (kind: MemberKind) => ({
      onAdd: (o: { metadata?: { name?: string } }) => {
        this.members.enqueue(memberKey(kind, o.metadata?.name ?? ''));
        enqueueAllGateways();
      },
      onUpdate: (old: EdgeSite | CloudCluster, o: EdgeSite | CloudCluster) => {
        this.members.enqueue(memberKey(kind, o.metadata?.name ?? ''));
        // Spec, labels, health or Ready may move placements; a rewrite of placements held may not.
        if (memberChangeMattersToGateways(old, o)) enqueueAffectedGateways(kind, o.metadata?.name ?? '');
      },
      onDelete: (o: { metadata?: { name?: string } }) => {
        this.members.enqueue(memberKey(kind, o.metadata?.name ?? ''));
        enqueueAllGateways();
      },
    });
    this.unsubscribe.push(
      hub.edgeSites.addEventHandler(memberHandler('EdgeSite')),
      hub.cloudClusters.addEventHandler(memberHandler('CloudCluster')),
      hub.gateways.addEventHandler({
        ...this.gateways.eventHandler(objectKey),
        // Placements held per member are part of the members' status.
        onUpdate: (_old, gw) => {
          this.gateways.enqueue(objectKey(gw));
          enqueueAllMembers();
          countPlacements();
        },
        onDelete: (gw) => {
          this.gateways.enqueue(objectKey(gw));
          enqueueAllMembers();
          countPlacements();
        },
      }),
      hub.secrets.addEventHandler(
        (() => {
          const onSecret = (s: { metadata?: { name?: string } }) => {
            for (const key of this.registry.membersUsingSecret(s.metadata?.name ?? ''))
              this.members.enqueue(key);
            // A member whose Secret was missing is not in membersUsingSecret until it is created.
            enqueueAllMembers();
          };
          return {
            onAdd: onSecret,
            onUpdate: (_o: unknown, s: { metadata?: { name?: string } }) => onSecret(s),
            onDelete: onSecret,
          };
        })(),
      ),
      this.registry.onChange((change) => {
        this.members.enqueue(change.key);
        const t = change.transition;
        if (!t && !change.reasons.includes('config')) return;
        if (t) {
          const regarding = { apiVersion: API_VERSION, kind: change.kind, metadata: { name: change.name } };
          if (t.eventType === 'Warning') events.warning(regarding, t.eventReason, 'Probe', t.message);
          else events.normal(regarding, t.eventReason, 'Probe', t.message);
          if (t.detectionMilliseconds !== undefined) {
            paygrid.detectionDuration.observe({ member: change.key }, t.detectionMilliseconds / 1000);
          }
          // A member that comes back may have lost or kept anything: re-apply.
          if (t.to === 'Healthy' || t.to === 'Recovering') {
            applied.forgetMember(change.key);
            // Sockets pooled while the link was cut are dead: the member's Deployment watch, started
            // on one, showed the state before the cut until its stall timeout (2 min), so a workload
            // that lost its pods meanwhile still looked available (failover.e2e, after flapping).
            const kc = this.registry.get(change.key)?.kubeConfig;
            if (t.from === 'Unreachable' && kc) dropConnections(kc);
          }
        }
        enqueueAffectedGateways(change.kind, change.name);
      }),
    );
  }

  start(): void {
    void this.members.start();
    void this.gateways.start();
    this.audit.start();
    for (const s of this.hub.edgeSites.list())
      this.members.enqueue(memberKey('EdgeSite', s.metadata?.name ?? ''));
    for (const c of this.hub.cloudClusters.list())
      this.members.enqueue(memberKey('CloudCluster', c.metadata?.name ?? ''));
    for (const gw of this.hub.gateways.list()) this.gateways.enqueue(objectKey(gw));
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await Promise.all([this.members.stop(), this.gateways.stop(), this.audit.stop()]);
    // Still leading (the Lease goes in a later phase): what the coalescing held back is written.
    await this.memberReconcile.flushHeld(this.log);
    this.registry.stop();
    await this.workloads.stop();
  }
}

export async function runOperator(config: Config, log: Logger): Promise<void> {
  const kc = loadKubeConfig(config.kubeconfig);
  const metrics = new RuntimeMetrics();
  const paygrid = new PaygridMetrics(metrics.registry);
  observeClientRequests((r) => metrics.restClientRequestsTotal.inc(r));
  const hub = createHubInformers(kc, {
    namespace: config.namespace,
    resyncPeriodMs: config.resyncPeriodMs,
    logger: log,
  });
  const events = new EventRecorder({
    sink: new KubeEventSink(kc),
    logger: log.child({ component: 'events' }),
    reportingInstance: config.podName,
  });
  const shutdown = new GracefulShutdown({ logger: log }).install();

  const readyz = new Checks().add(
    'informers',
    syncedCheck(() => hub.all()),
  );
  const servers: HttpServerHandle[] = [];
  if (config.healthProbeBindAddress) {
    servers.push(await listen(createHttpApp({ readyz, logger: log }), config.healthProbeBindAddress, log));
  }
  if (config.metricsBindAddress) {
    servers.push(
      await listen(
        createHttpApp({ registry: metrics.registry, logger: log }),
        config.metricsBindAddress,
        log,
      ),
    );
  }
  shutdown.register({
    name: 'http',
    phase: ShutdownPhase.CloseHttp,
    run: () => Promise.all(servers.map((s) => s.close(5_000))).then(() => undefined),
  });

  for (const inf of hub.all()) inf.start();
  shutdown.register({
    name: 'informers',
    phase: ShutdownPhase.Final,
    run: () => Promise.all(hub.all().map((i) => i.stop())).then(() => undefined),
  });
  await Promise.all(hub.all().map((i) => i.waitForSync()));
  log.info('hub caches synced');

  // Routes are read from the hub's caches, so every replica serves them.
  if (config.routesBindAddress) {
    const routes = routesRouter({
      gateways: hub.gateways,
      edgeSites: hub.edgeSites,
      cloudClusters: hub.cloudClusters,
    });
    // The console (/ui/ and its API) shares the port: it reads the same caches, read-only.
    const consoleApi = consoleRouter({
      gateways: hub.gateways,
      edgeSites: hub.edgeSites,
      cloudClusters: hub.cloudClusters,
    });
    const server = await listen(
      createHttpApp({
        routers: [
          { path: '/', router: routes },
          { path: '/', router: consoleApi },
        ],
        logger: log,
      }),
      config.routesBindAddress,
      log,
    );
    shutdown.register({
      name: 'routes-api',
      phase: ShutdownPhase.CloseHttp,
      // Waiting long-polls answer 304 at once rather than being cut.
      run: async () => {
        routes.close();
        consoleApi.close();
        await server.close(5_000);
      },
    });
  }

  // The webhook answers on every replica (admission must not wait for a leader).
  if (config.webhookBindAddress && config.webhookCertFile && config.webhookKeyFile) {
    const router = webhookRouter({
      namespace: config.namespace,
      registry: metrics.registry,
      logger: log.child({ component: 'webhook' }),
      ...lookupsFromCaches({
        namespace: config.namespace,
        secrets: hub.secrets,
        edgeSites: hub.edgeSites,
        cloudClusters: hub.cloudClusters,
        gateways: hub.gateways,
        // A Secret applied together with the EdgeSite naming it may not be in the cache yet.
        readSecret: apiSecretReader(makeApiClient(kc, CoreV1Api), config.namespace),
      }),
    });
    const { server } = createTlsServer(createHttpApp({ routers: [{ path: '/', router }], logger: log }), {
      certFile: config.webhookCertFile,
      keyFile: config.webhookKeyFile,
    });
    const bind = config.webhookBindAddress;
    await new Promise<void>((resolve) => server.listen(bind.port, bind.host || undefined, resolve));
    log.info({ port: bind.port }, 'admission webhook listening (HTTPS)');
    shutdown.register({
      name: 'webhook',
      phase: ShutdownPhase.CloseHttp,
      run: () => new Promise<void>((resolve) => server.close(() => resolve())),
    });
  }

  let controllers: Controllers | undefined;
  const startControllers = () => {
    controllers = new Controllers(hub, kc, config, log, metrics, paygrid, events);
    controllers.start();
    log.info('controllers started');
  };
  shutdown.register({
    name: 'controllers',
    phase: ShutdownPhase.StopQueues,
    run: async () => {
      await controllers?.stop();
      await events.flush();
    },
  });

  if (!config.leaderElect) {
    startControllers();
    return;
  }
  const identity = `${config.podName}_${randomUUID()}`;
  const elector = new LeaderElector({
    lease: new KubeLeaseClient(kc, config.leaderElectionNamespace, config.leaderElectionId),
    identity,
    name: config.leaderElectionId,
    logger: log.child({ component: 'leader-election' }),
    metrics,
    callbacks: {
      onStartedLeading: () => startControllers(),
      onStoppedLeading: (reason) => {
        if (reason === 'lost') {
          // Like controller-runtime: a replica that lost the lease exits and
          // restarts clean, so it can never act alongside the new leader.
          log.error('leader election lost; exiting');
          process.exit(1);
        }
      },
    },
  });
  readyz.add('leader-election', () => true);
  shutdown.register({ name: 'lease', phase: ShutdownPhase.ReleaseLease, run: () => elector.stop() });
  void elector.run();
  log.info(
    { identity, lease: `${config.leaderElectionNamespace}/${config.leaderElectionId}` },
    'waiting to lead',
  );
}
