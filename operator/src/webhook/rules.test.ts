import { readFileSync } from 'node:fs';
import type { V1Secret } from '@kubernetes/client-node';
import type { CloudCluster, EdgeSite, PaymentGateway } from '../api/index.js';
import type { AdmissionRequest, AdmissionReview, Verdict } from './admission.js';
import { AdmissionRules, type WebhookLookups } from './rules.js';
import {
  NAMESPACE,
  TOKEN,
  cloudCluster,
  edgeSite,
  gateway,
  kubeconfigText,
  review,
  secret,
} from './testdata/fixtures.js';

interface World {
  secrets?: V1Secret[];
  sites?: EdgeSite[];
  clouds?: CloudCluster[];
  gateways?: PaymentGateway[];
}

/** Lookups over in-memory objects, counting calls. */
function lookups(world: World = {}) {
  const calls = { getSecret: 0, listEdgeSites: 0, listGateways: 0, listCloudClusters: 0 };
  const l: WebhookLookups = {
    getSecret: async (name) => {
      calls.getSecret++;
      return (world.secrets ?? []).find((s) => s.metadata?.name === name);
    },
    listEdgeSites: () => {
      calls.listEdgeSites++;
      return world.sites ?? [];
    },
    listGateways: async () => {
      calls.listGateways++;
      return world.gateways ?? [];
    },
    listCloudClusters: () => {
      calls.listCloudClusters++;
      return world.clouds ?? [];
    },
  };
  return { lookups: l, calls };
}

const rulesFor = (l: WebhookLookups, deadlineMs?: number) =>
  new AdmissionRules({ namespace: NAMESPACE, lookups: l, ...(deadlineMs ? { deadlineMs } : {}) });

async function decide(r: AdmissionReview, world: World = {}): Promise<Verdict> {
  return rulesFor(lookups(world).lookups).review(r.request!);
}

const fixture = (name: string): AdmissionReview =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as AdmissionReview;

const validSecret = (name: string, key = 'kubeconfig') => secret(name, { [key]: kubeconfigText() });
const twoSites = () => [
  edgeSite('edge-a', { ready: true, zone: 'eu-west-a' }),
  edgeSite('edge-b', { ready: true, zone: 'eu-west-b' }),
];
const cloudEu = () => [cloudCluster('cloud-eu')];

function expectDenied(v: Verdict, ...parts: string[]): string {
  expect(v.allowed).toBe(false);
  for (const p of parts) expect(v.message).toContain(p);
  return v.message ?? '';
}

describe('requests the webhook has no opinion on', () => {
  it('allows kinds of other groups', async () => {
    const r = review('CREATE', 'EdgeSite', edgeSite('edge-a'));
    r.request!.kind = { group: 'apps', version: 'v1', kind: 'Deployment' };
    expect(await decide(r)).toEqual({ allowed: true, warnings: [] });
  });

  it('allows subresource writes (status) without any lookup', async () => {
    const { lookups: l, calls } = lookups();
    const r = review('UPDATE', 'EdgeSite', edgeSite('edge-a', { secret: 'gone' }), edgeSite('edge-a'), {
      subResource: 'status',
    });
    expect((await rulesFor(l).review(r.request!)).allowed).toBe(true);
    expect(calls.getSecret).toBe(0);
  });

  it('allows deleting a PaymentGateway (its finalizer cleans up)', async () => {
    const { lookups: l, calls } = lookups();
    const v = await rulesFor(l).review(
      review('DELETE', 'PaymentGateway', null, gateway('checkout')).request!,
    );
    expect(v.allowed).toBe(true);
    expect(calls.listGateways).toBe(0);
  });
});

describe('schema (ajv over the CRD schemas)', () => {
  it('denies an EdgeSite without its required region, naming the field', async () => {
    const site = edgeSite('edge-a') as unknown as { spec: Record<string, unknown> };
    delete site.spec.region;
    const v = await decide(review('CREATE', 'EdgeSite', site), {
      secrets: [validSecret('paygrid-member-edge-a')],
    });
    expectDenied(v, 'spec.region: is required');
    expect(v.code).toBe(422);
    expect(v.reason).toBe('Invalid');
  });

  it('denies a gateway with out-of-range replicas and a bad enum, listing both fields', async () => {
    const gw = gateway('checkout', { replicas: 0 }) as unknown as {
      spec: { authorization: Record<string, unknown> };
    };
    gw.spec.authorization.spreadBy = 'rack';
    const v = await decide(review('CREATE', 'PaymentGateway', gw));
    expectDenied(
      v,
      'spec.authorization.replicas: must be >= 1',
      'spec.authorization.spreadBy: must be one of "zone", "region", "none"',
    );
  });

  it('accepts the objects the apiserver really sends (captured reviews)', async () => {
    const es = fixture('edgesite-create.review.json');
    const v1 = await decide(es, { secrets: [validSecret('paygrid-member-edge-a')] });
    expect(v1.allowed).toBe(true);
    const pgw = fixture('paymentgateway-create.review.json');
    const v2 = await decide(pgw, { sites: twoSites(), clouds: cloudEu() });
    expect(v2).toEqual({ allowed: true, warnings: [] });
  });
});

describe('rule (a): the kubeconfig Secret exists and holds a parseable kubeconfig', () => {
  it('denies an EdgeSite whose Secret does not exist, naming the field and the fix', async () => {
    const v = await decide(review('CREATE', 'EdgeSite', edgeSite('edge-a')));
    expectDenied(
      v,
      'EdgeSite edge-a: spec.kubeconfigSecretRef.name: Secret paygrid-system/paygrid-member-edge-a not found',
      'create it in the operator\'s namespace with the member\'s kubeconfig under key "kubeconfig"',
    );
    expect(v.code).toBe(403);
  });

  it('denies a Secret without the key, naming spec.kubeconfigSecretRef.key and the keys it has', async () => {
    const v = await decide(review('CREATE', 'EdgeSite', edgeSite('edge-a')), {
      secrets: [secret('paygrid-member-edge-a', { config: kubeconfigText() })],
    });
    expectDenied(v, 'spec.kubeconfigSecretRef.key', 'has no key "kubeconfig"', 'its keys are "config"');
  });

  it('honours a custom key', async () => {
    const v = await decide(review('CREATE', 'EdgeSite', edgeSite('edge-a', { key: 'config' })), {
      secrets: [secret('paygrid-member-edge-a', { config: kubeconfigText() })],
    });
    expect(v.allowed).toBe(true);
  });

  it('denies a kubeconfig that does not parse, without echoing the Secret', async () => {
    const broken = `apiVersion: v1\nusers:\n- name: x\n  user: {token: ${TOKEN}\n`;
    const v = await decide(review('CREATE', 'EdgeSite', edgeSite('edge-a')), {
      secrets: [secret('paygrid-member-edge-a', { kubeconfig: broken })],
    });
    const msg = expectDenied(
      v,
      'spec.kubeconfigSecretRef:',
      'is not valid YAML',
      'kubectl -n paygrid-system create secret generic paygrid-member-edge-a --from-file=kubeconfig=',
    );
    expect(msg).not.toContain(TOKEN);
    expect(msg).not.toContain('Sup3r');
  });

  it('denies a kubeconfig the operator would refuse (exec plugin), without echoing it', async () => {
    const text = kubeconfigText().replace(
      `token: ${TOKEN}`,
      'exec: {command: /bin/steal, apiVersion: client.authentication.k8s.io/v1}',
    );
    const v = await decide(review('CREATE', 'EdgeSite', edgeSite('edge-a')), {
      secrets: [secret('paygrid-member-edge-a', { kubeconfig: text })],
    });
    const msg = expectDenied(v, 'uses an exec credential plugin');
    expect(msg).not.toContain('/bin/steal');
  });

  it('denies a kubeconfig with no current context', async () => {
    const text = kubeconfigText().replace(/current-context: .*/, '');
    const v = await decide(review('CREATE', 'CloudCluster', cloudCluster('cloud-eu')), {
      secrets: [secret('paygrid-member-cloud-eu', { kubeconfig: text })],
    });
    expectDenied(v, 'CloudCluster cloud-eu:', 'sets no current-context');
  });

  it('allows a CloudCluster without kubeconfigSecretRef (the hub itself) without any lookup', async () => {
    const { lookups: l, calls } = lookups();
    const v = await rulesFor(l).review(
      review('CREATE', 'CloudCluster', cloudCluster('hub', { secret: null })).request!,
    );
    expect(v.allowed).toBe(true);
    expect(calls.getSecret).toBe(0);
  });

  it('on UPDATE, checks the Secret again only when kubeconfigSecretRef changed (ratcheting)', async () => {
    const { lookups: l, calls } = lookups();
    const rules = rulesFor(l);
    // The Secret was deleted since; cordoning the site must still work.
    const cordon = review('UPDATE', 'EdgeSite', edgeSite('edge-a', { cordoned: true }), edgeSite('edge-a'));
    expect((await rules.review(cordon.request!)).allowed).toBe(true);
    expect(calls.getSecret).toBe(0);
    const moved = review('UPDATE', 'EdgeSite', edgeSite('edge-a', { secret: 'other' }), edgeSite('edge-a'));
    expectDenied(await rules.review(moved.request!), 'Secret paygrid-system/other not found');
    expect(calls.getSecret).toBe(1);
  });

  it('allows updates that leave the spec alone, and updates of objects being deleted', async () => {
    const { lookups: l, calls } = lookups();
    const rules = rulesFor(l);
    const relabelled = edgeSite('edge-a', { labels: { new: 'label' } });
    expect(
      (await rules.review(review('UPDATE', 'EdgeSite', relabelled, edgeSite('edge-a')).request!)).allowed,
    ).toBe(true);
    const deleting = edgeSite('edge-a', { secret: 'changed' });
    deleting.metadata!.deletionTimestamp = '2025-01-31T12:00:00Z' as unknown as Date;
    expect(
      (await rules.review(review('UPDATE', 'EdgeSite', deleting, edgeSite('edge-a')).request!)).allowed,
    ).toBe(true);
    expect(calls.getSecret).toBe(0);
  });

  it('denies with "try again" (503) when the Secret cannot be read', async () => {
    const l: WebhookLookups = {
      getSecret: () => Promise.reject(Object.assign(new Error('forbidden'), { code: 403 })),
      listEdgeSites: () => [],
      listGateways: () => [],
    };
    const v = await rulesFor(l).review(review('CREATE', 'EdgeSite', edgeSite('edge-a')).request!);
    expectDenied(
      v,
      'could not check this EdgeSite',
      'reading Secret paygrid-system/paygrid-member-edge-a failed: HTTP 403',
      'try again',
    );
    expect(v.code).toBe(503);
  });

  it('answers within its deadline when the Secret lookup hangs', async () => {
    const l: WebhookLookups = {
      getSecret: () => new Promise(() => undefined),
      listEdgeSites: () => [],
      listGateways: () => [],
    };
    const started = Date.now();
    const v = await rulesFor(l, 100).review(review('CREATE', 'EdgeSite', edgeSite('edge-a')).request!);
    expect(Date.now() - started).toBeLessThan(1000);
    expectDenied(v, 'did not answer within 0.1 s', 'try again');
  });

  it('aborts the lookup signal when the deadline passes', async () => {
    let aborted = false;
    const l: WebhookLookups = {
      getSecret: (_name, signal) =>
        new Promise((_, reject) =>
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
      listEdgeSites: () => [],
      listGateways: () => [],
    };
    await rulesFor(l, 50).review(review('CREATE', 'EdgeSite', edgeSite('edge-a')).request!);
    await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(true);
  });
});

describe('rule (b): the site selector can satisfy spec.authorization.sites (warnings)', () => {
  it('has nothing to say when enough matching sites are Ready', async () => {
    const v = await decide(review('CREATE', 'PaymentGateway', gateway('checkout')), {
      sites: twoSites(),
      clouds: cloudEu(),
    });
    expect(v).toEqual({ allowed: true, warnings: [] });
  });

  it('warns (and allows) when the selector matches fewer uncordoned sites than sites', async () => {
    const sites = [
      ...twoSites(),
      edgeSite('edge-c', { cordoned: true, ready: true }),
      edgeSite('lab', { labels: { tier: 'lab' } }),
    ];
    const v = await decide(review('CREATE', 'PaymentGateway', gateway('checkout', { sites: 3 })), {
      sites,
      clouds: cloudEu(),
    });
    expect(v.allowed).toBe(true);
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toContain(
      'spec.authorization.siteSelector (paygrid.io/tier=edge) matches 2 uncordoned EdgeSite(s) [edge-a, edge-b] and 1 cordoned, fewer than spec.authorization.sites=3',
    );
    expect(v.warnings[0]).toContain('label more EdgeSites or lower sites');
  });

  it('warns when enough sites match but too few are Ready now', async () => {
    const sites = [
      edgeSite('edge-a', { ready: true }),
      edgeSite('edge-b', { ready: false }),
      edgeSite('edge-c'),
    ];
    const v = await decide(review('CREATE', 'PaymentGateway', gateway('checkout')), {
      sites,
      clouds: cloudEu(),
    });
    expect(v.allowed).toBe(true);
    expect(v.warnings).toEqual([
      expect.stringContaining(
        'only 1 of the 3 EdgeSites matching spec.authorization.siteSelector (paygrid.io/tier=edge) are Ready now [edge-a]',
      ),
    ]);
  });

  it('warns when the ledger clusters do not exist and analytics matches no CloudCluster', async () => {
    const gw = gateway('checkout', { primary: 'cloud-us', standbys: ['cloud-eu', 'cloud-ap'] });
    const v = await decide(review('CREATE', 'PaymentGateway', gw), {
      sites: twoSites(),
      clouds: [cloudCluster('cloud-eu', { labels: {} })],
    });
    expect(v.allowed).toBe(true);
    expect(v.warnings).toEqual([
      expect.stringContaining('spec.ledger.primary: CloudCluster cloud-us does not exist'),
      expect.stringContaining('spec.ledger.standbys[1]: CloudCluster cloud-ap does not exist'),
      expect.stringContaining('spec.analytics.cloudSelector (paygrid.io/tier=cloud) matches no CloudCluster'),
    ]);
  });

  it('allows with a warning when the sites cannot be listed in time', async () => {
    const l: WebhookLookups = {
      getSecret: async () => undefined,
      listEdgeSites: () => new Promise(() => undefined),
      listGateways: () => [],
    };
    const v = await rulesFor(l, 50).review(review('CREATE', 'PaymentGateway', gateway('checkout')).request!);
    expect(v.allowed).toBe(true);
    expect(v.warnings).toEqual([expect.stringContaining("could not check the gateway's sites now")]);
  });

  it('keeps every warning to one line of at most 256 characters in the response', async () => {
    const { toReview } = await import('./admission.js');
    const sites = Array.from({ length: 40 }, (_, i) =>
      edgeSite(`edge-site-with-a-long-name-${i}`, { ready: true }),
    );
    const v = await decide(review('CREATE', 'PaymentGateway', gateway('checkout', { sites: 41 })), {
      sites,
      clouds: cloudEu(),
    });
    const res = toReview('u', v).response!;
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings![0]!.length).toBeLessThanOrEqual(256);
    expect(res.warnings![0]).not.toMatch(/\n/);
  });
});

describe('rule (c): images are valid references', () => {
  it('denies an image the CRD pattern lets through (port out of range), naming the field and the fix', async () => {
    const gw = gateway('checkout', { authImage: 'registry.example.com:99999/paygrid/authorization:0.1.0' });
    const v = await decide(review('CREATE', 'PaymentGateway', gw), { sites: twoSites(), clouds: cloudEu() });
    expectDenied(
      v,
      'PaymentGateway checkout: spec.authorization.image: "registry.example.com:99999/paygrid/authorization:0.1.0" is not a valid image reference: the registry port 99999 is out of range (1-65535)',
      'e.g. ghcr.io/paygrid/authorization:0.1.0',
    );
  });

  it('names every bad image', async () => {
    const long = `ghcr.io/${'a'.repeat(250)}/ledger:1`;
    const gw = gateway('checkout', { ledgerImage: long, analyticsImage: 'ghcr.io/paygrid/Analytics:1' });
    const v = await decide(review('CREATE', 'PaymentGateway', gw));
    expectDenied(
      v,
      'spec.ledger.image',
      'at most 255',
      'spec.analytics.image',
      'repository path component "Analytics"',
    );
  });

  it('warns about :latest, missing tags and registry-less images', async () => {
    const gw = gateway('checkout', {
      authImage: 'ghcr.io/paygrid/authorization:latest',
      ledgerImage: 'paygrid/ledger',
    });
    const v = await decide(review('CREATE', 'PaymentGateway', gw), { sites: twoSites(), clouds: cloudEu() });
    expect(v.allowed).toBe(true);
    expect(v.warnings).toEqual([
      'spec.authorization.image "ghcr.io/paygrid/authorization:latest" uses the :latest tag, so every pull may get a different build',
      expect.stringContaining(
        'spec.ledger.image "paygrid/ledger" names no registry, so it resolves to docker.io/paygrid/ledger',
      ),
      'spec.ledger.image "paygrid/ledger" has no tag or digest, so every pull may get a different build (:latest)',
    ]);
  });

  it('on UPDATE, checks only the images that changed (ratcheting)', async () => {
    const old = gateway('checkout', { authImage: 'registry.example.com:99999/paygrid/authorization:0.1.0' });
    const next = gateway('checkout', {
      authImage: 'registry.example.com:99999/paygrid/authorization:0.1.0',
      replicas: 3,
    });
    const v = await decide(review('UPDATE', 'PaymentGateway', next, old), {
      sites: twoSites(),
      clouds: cloudEu(),
    });
    expect(v.allowed).toBe(true);
  });
});

describe('rule (d): a member that holds placements cannot be deleted', () => {
  const holding = (state: string, member = 'edge-a') =>
    gateway('checkout', {
      placements: [
        { member, state: state as 'Active' },
        { member: 'edge-b', state: 'Active' },
      ],
    });

  it('denies deleting an uncordoned EdgeSite with active placements, saying how to cordon it', async () => {
    const gws = [
      holding('Active'),
      gateway('refunds', { placements: [{ member: 'edge-a', state: 'FailoverTarget' }] }, 'shop'),
    ];
    const v = await decide(review('DELETE', 'EdgeSite', null, edgeSite('edge-a')), { gateways: gws });
    const msg = expectDenied(
      v,
      'EdgeSite edge-a still holds 2 placement(s) (payments/checkout authorization Active, shop/refunds authorization FailoverTarget)',
      'spec.cordoned is not true',
      `cordon it first: kubectl patch es edge-a --type merge -p '{"spec":{"cordoned":true}}' and wait until its placements drain`,
    );
    expect(msg).not.toContain('edge-b');
    expect(v.code).toBe(403);
  });

  it('denies deleting a cordoned EdgeSite until its placements drained (Draining still holds)', async () => {
    const v = await decide(review('DELETE', 'EdgeSite', null, edgeSite('edge-a', { cordoned: true })), {
      gateways: [holding('Draining')],
    });
    const msg = expectDenied(
      v,
      'still holds 1 placement(s) (payments/checkout authorization Draining)',
      'it is cordoned',
      'wait until its placements drain',
    );
    expect(msg).not.toContain('kubectl patch');
  });

  it('allows deleting a drained EdgeSite, cordoned or not', async () => {
    for (const cordoned of [true, false]) {
      const v = await decide(review('DELETE', 'EdgeSite', null, edgeSite('edge-a', { cordoned })), {
        gateways: [gateway('checkout', { placements: [{ member: 'edge-b', state: 'Active' }] })],
      });
      expect(v).toEqual({ allowed: true, warnings: [] });
    }
  });

  it('allows deleting a site whose placements are all Lost (gone for good), with a warning', async () => {
    const v = await decide(review('DELETE', 'EdgeSite', null, edgeSite('edge-a')), {
      gateways: [holding('Lost')],
    });
    expect(v.allowed).toBe(true);
    expect(v.warnings).toEqual([expect.stringContaining('EdgeSite edge-a had 1 Lost placement(s)')]);
  });

  it('matches placements by member kind as well as name', async () => {
    const gw = gateway('checkout', {
      placements: [{ member: 'edge-a', memberKind: 'CloudCluster', component: 'ledger' }],
    });
    expect(
      (await decide(review('DELETE', 'EdgeSite', null, edgeSite('edge-a')), { gateways: [gw] })).allowed,
    ).toBe(true);
  });

  it('denies deleting a CloudCluster that runs a ledger, saying what to move', async () => {
    const gw = gateway('checkout', {
      placements: [{ member: 'cloud-eu', memberKind: 'CloudCluster', component: 'ledger', state: 'Active' }],
    });
    const v = await decide(review('DELETE', 'CloudCluster', null, cloudCluster('cloud-eu')), {
      gateways: [gw],
    });
    expectDenied(
      v,
      'CloudCluster cloud-eu still holds 1 placement(s) (payments/checkout ledger Active)',
      'spec.ledger.primary',
    );
  });

  it('works from the captured DELETE review (a cordoned site)', async () => {
    const r = fixture('edgesite-delete.review.json');
    const name = r.request!.name!;
    const v = await decide(r, { gateways: [holding('Active', name)] });
    expectDenied(
      v,
      `EdgeSite ${name} still holds 1 placement(s)`,
      'it is cordoned',
      'wait until its placements drain',
    );
  });

  it('denies with "try again" when the gateways cannot be listed', async () => {
    const l: WebhookLookups = {
      getSecret: async () => undefined,
      listEdgeSites: () => [],
      listGateways: () => Promise.reject(new Error('cache not synced')),
    };
    const v = await rulesFor(l).review(review('DELETE', 'EdgeSite', null, edgeSite('edge-a')).request!);
    expectDenied(v, 'listing PaymentGateways failed: cache not synced', 'try again');
  });
});

describe('robustness', () => {
  it('never throws, even on garbage objects', async () => {
    const rules = rulesFor(lookups().lookups);
    const garbage: unknown[] = [null, 42, 'x', [], { spec: 'no' }, { metadata: 5 }];
    for (const g of garbage) {
      for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) {
        for (const kind of ['EdgeSite', 'CloudCluster', 'PaymentGateway'] as const) {
          const req = review(op, kind, g, g).request as AdmissionRequest;
          const v = await rules.review(req);
          expect(typeof v.allowed).toBe('boolean');
        }
      }
    }
  });
});
