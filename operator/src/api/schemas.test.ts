// Checks the CRDs in crds/ (the API's source of truth) without a cluster:
// conventions, documentation of every field, bounds that keep CEL cheap, and
// that the examples an SRE applies fit them. The e2e suite
// (e2e/src/crds.e2e.test.ts) checks the same against a real apiserver.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import {
  API_VERSION,
  FAILOVER_DEFAULTS,
  PLURALS,
  PROBE_DEFAULTS,
  crds as generatedCrds,
  failoverWithDefaults,
  gatewayLabelValue,
  probeWithDefaults,
  setCondition,
  workloadLabels,
  type Condition,
} from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

type Schema = {
  description?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  required?: string[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string; fieldPath?: string; reason?: string }[];
};

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: 'Cluster' | 'Namespaced';
    names: { kind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; jsonPath: string; description?: string }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

const crdFiles = readdirSync(join(root, 'crds'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const crds = crdFiles.map((file) => ({
  file,
  crd: parse(readFileSync(join(root, 'crds', file), 'utf8')) as Crd,
}));
const byKind = new Map(crds.map(({ crd }) => [crd.spec.names.kind, crd]));
const schemaOf = (kind: string): Schema => byKind.get(kind)!.spec.versions[0]!.schema.openAPIV3Schema;

/** Every schema node below `schema`, with its path (a.b[].c), skipping int-or-string's anyOf branches. */
function* walk(schema: Schema, path = ''): Generator<[string, Schema]> {
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    const p = path ? `${path}.${name}` : name;
    yield [p, sub];
    yield* walk(sub, p);
  }
  if (schema.items) {
    yield [`${path}[]`, schema.items];
    yield* walk(schema.items, `${path}[]`);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    yield [`${path}{}`, schema.additionalProperties];
    yield* walk(schema.additionalProperties, `${path}{}`);
  }
}

/** The value of a dotted path (a.b.c) in a schema's defaults-free structure. */
function at(schema: Schema, path: string): Schema {
  return path.split('.').reduce<Schema>((s, p) => s.properties![p]!, schema);
}

const SHAPE: Record<string, { scope: string; shortName: string; columns: string[] }> = {
  EdgeSite: {
    scope: 'Cluster',
    shortName: 'es',
    columns: ['Region', 'Zone', 'Health', 'Ready', 'Placements', 'Version', 'Age'],
  },
  CloudCluster: {
    scope: 'Cluster',
    shortName: 'cc',
    columns: ['Region', 'Provider', 'Health', 'Ready', 'Placements', 'Version', 'Age'],
  },
  PaymentGateway: {
    scope: 'Namespaced',
    shortName: 'pgw',
    columns: ['Ready', 'Serving', 'Epoch', 'FailedOver', 'Age'],
  },
};

describe('CRDs', () => {
  it('define exactly the three paygrid kinds', () => {
    expect([...byKind.keys()].sort()).toEqual(['CloudCluster', 'EdgeSite', 'PaymentGateway']);
  });

  describe.each(crds.map(({ file, crd }) => [crd.spec.names.kind, file, crd] as const))(
    '%s (%s)',
    (kind, file, crd) => {
      const version = crd.spec.versions[0]!;
      const schema = version.schema.openAPIV3Schema;

      it('follows the API conventions', () => {
        expect(crd.spec.group).toBe('paygrid.io');
        expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.paygrid.io`);
        expect(file).toBe(`paygrid.io_${crd.spec.names.plural}.yaml`);
        expect(crd.spec.names.plural).toBe(PLURALS[kind as keyof typeof PLURALS]);
        expect(crd.spec.versions).toHaveLength(1);
        expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
        expect(`${crd.spec.group}/${version.name}`).toBe(API_VERSION);
        expect(version.subresources?.status).toEqual({});
        expect(crd.spec.names.categories).toEqual(['paygrid']);
        expect(crd.spec.scope).toBe(SHAPE[kind]!.scope);
        expect(crd.spec.names.shortNames).toEqual([SHAPE[kind]!.shortName]);
        expect(schema.required).toContain('spec');
        expect(schema.properties?.status?.properties?.phase).toBeUndefined();
      });

      it('has the printer columns of the API shape, each described', () => {
        const columns = version.additionalPrinterColumns ?? [];
        const defaultColumns = columns.filter((c) => !('priority' in c) || !c.priority).map((c) => c.name);
        expect(defaultColumns).toEqual(SHAPE[kind]!.columns);
        for (const c of columns) expect(c.description).toBeTruthy();
        const ready = columns.find((c) => c.name === 'Ready');
        expect(ready?.jsonPath).toBe('.status.conditions[?(@.type=="Ready")].status');
      });

      it('describes every field at every depth', () => {
        const missing: string[] = [];
        if (!schema.description?.trim()) missing.push('(root)');
        for (const [path, sub] of walk(schema)) {
          // The apiserver forbids anything but name/generateName restrictions on the root metadata.
          if (path === 'metadata') continue;
          if (!sub.description?.trim()) missing.push(path);
        }
        expect(missing).toEqual([]);
      });

      it('bounds every string and array, so CEL rules stay within the cost budget', () => {
        const unbounded: string[] = [];
        for (const [path, sub] of walk(schema)) {
          if (path === 'apiVersion' || path === 'kind') continue; // checked by the apiserver itself
          if (sub.type === 'array' && sub.maxItems === undefined) unbounded.push(`${path} (maxItems)`);
          if (
            sub.type === 'object' &&
            typeof sub.additionalProperties === 'object' &&
            sub.maxProperties === undefined
          )
            unbounded.push(`${path} (maxProperties)`);
          const stringish = sub.type === 'string' || sub['x-kubernetes-int-or-string'];
          if (stringish && sub.maxLength === undefined && !sub.enum && sub.format !== 'date-time')
            unbounded.push(`${path} (maxLength)`);
        }
        expect(unbounded).toEqual([]);
      });

      it('gives every CEL rule a message, and a fieldPath when it checks a child field', () => {
        const problems: string[] = [];
        for (const [path, sub] of [['(root)', schema] as [string, Schema], ...walk(schema)]) {
          for (const rule of sub['x-kubernetes-validations'] ?? []) {
            if (!rule.message?.trim()) problems.push(`${path}: ${rule.rule} has no message`);
            if (!rule.reason) problems.push(`${path}: ${rule.rule} has no reason`);
            if (sub.type === 'object' && !rule.fieldPath)
              problems.push(`${path}: ${rule.rule} has no fieldPath`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('models conditions as metav1.Condition, a list map keyed by type', () => {
        const conditions = schema.properties!.status!.properties!.conditions as Schema &
          Record<string, unknown>;
        expect(conditions['x-kubernetes-list-type']).toBe('map');
        expect(conditions['x-kubernetes-list-map-keys']).toEqual(['type']);
        expect([...conditions.items!.required!].sort()).toEqual(
          ['lastTransitionTime', 'message', 'reason', 'status', 'type'].sort(),
        );
        expect(conditions.items!.properties!.status!.enum).toEqual(['True', 'False', 'Unknown']);
      });

      it('is what operator/src/api/generated/schemas.ts holds (run `make generate` if not)', () => {
        const generated = generatedCrds.find((c) => c.kind === kind);
        expect(generated?.schema).toEqual(schema);
        expect(generated?.plural).toBe(crd.spec.names.plural);
      });
    },
  );

  it('keeps PROBE_DEFAULTS and FAILOVER_DEFAULTS equal to the CRD defaults', () => {
    for (const kind of ['EdgeSite', 'CloudCluster']) {
      const probe = at(schemaOf(kind), 'spec.probe');
      const defaults = Object.fromEntries(Object.entries(probe.properties!).map(([k, s]) => [k, s.default]));
      expect(defaults).toEqual(PROBE_DEFAULTS);
    }
    const failover = at(schemaOf('PaymentGateway'), 'spec.failover');
    const defaults = Object.fromEntries(Object.entries(failover.properties!).map(([k, s]) => [k, s.default]));
    expect(defaults).toEqual(FAILOVER_DEFAULTS);
  });

  it('makes region (and a cloud provider) immutable', () => {
    for (const path of ['EdgeSite:spec.region', 'CloudCluster:spec.region', 'CloudCluster:spec.provider']) {
      const [kind, field] = path.split(':') as [string, string];
      expect(at(schemaOf(kind), field)['x-kubernetes-validations']?.map((r) => r.rule)).toContain(
        'self == oldSelf',
      );
    }
  });
});

describe('examples', () => {
  const exampleFiles = readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const objects = exampleFiles.flatMap((file) =>
    parseAllDocuments(readFileSync(join(root, 'examples', file), 'utf8')).map((doc, i) => {
      expect(doc.errors).toEqual([]);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form YAML, checked below
      return { where: `examples/${file}#${i}`, obj: doc.toJS() as Record<string, any> };
    }),
  );

  // ajv checks the structure (types, required, enums, bounds, patterns);
  // CEL rules run only in the apiserver (see the e2e suite).
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const f of ['int32', 'int64', 'date-time']) ajv.addFormat(f, true);

  it("run the payment services' images of this release (make image tags them with the project's version)", () => {
    const version = (
      JSON.parse(readFileSync(join(root, 'operator', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const gateways = objects.filter((o) => o.obj.kind === 'PaymentGateway');
    expect(gateways.length).toBeGreaterThan(0);
    for (const { obj } of gateways) {
      expect(obj.spec.authorization.image).toBe(`ghcr.io/paygrid/authorization:${version}`);
      expect(obj.spec.ledger.image).toBe(`ghcr.io/paygrid/ledger:${version}`);
      expect(obj.spec.analytics.image).toBe(`ghcr.io/paygrid/analytics:${version}`);
      // ... and name the Secrets they need, which examples/create-secrets.sh makes.
      const script = readFileSync(join(root, 'examples', 'create-secrets.sh'), 'utf8');
      for (const ref of [
        obj.spec.authorization.tokenizationKeySecretRef,
        obj.spec.ledger.databaseSecretRef,
        obj.spec.analytics.databaseSecretRef,
      ] as { name: string; key: string }[]) {
        expect(script).toContain(`create ${ref.name} ${ref.key} `);
      }
    }
  });

  it('include every paygrid kind and the namespace', () => {
    const kinds = objects.map((o) => o.obj.kind);
    for (const k of [...byKind.keys(), 'Namespace']) expect(kinds).toContain(k);
  });

  it.each(objects.map((o) => [o.where, o.obj] as const))('%s fits its CRD', (_where, obj) => {
    if (obj.apiVersion === 'v1') {
      expect(obj.kind).toBe('Namespace');
      return;
    }
    expect(obj.apiVersion).toBe(API_VERSION);
    const crd = byKind.get(obj.kind);
    expect(crd).toBeDefined();
    if (crd!.spec.scope === 'Namespaced') expect(obj.metadata.namespace).toBeTruthy();
    else expect(obj.metadata.namespace).toBeUndefined();
    const validate = ajv.compile(crd!.spec.versions[0]!.schema.openAPIV3Schema);
    const ok = validate(obj);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('only set fields the CRDs declare (the apiserver rejects unknown fields)', () => {
    const unknown: string[] = [];
    const check = (value: unknown, schema: Schema, path: string) => {
      if (Array.isArray(value))
        value.forEach((v, i) => schema.items && check(v, schema.items, `${path}[${i}]`));
      else if (value && typeof value === 'object' && schema.properties)
        for (const [k, v] of Object.entries(value)) {
          const sub = schema.properties[k];
          if (!sub) unknown.push(`${path}.${k}`);
          else check(v, sub, `${path}.${k}`);
        }
    };
    for (const { where, obj } of objects) {
      const crd = byKind.get(obj.kind);
      if (crd)
        check(obj.spec, crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!, `${where} spec`);
    }
    expect(unknown).toEqual([]);
  });

  it('keep the cross-field rules the CRDs check with CEL', () => {
    for (const { where, obj } of objects) {
      const probe = obj.spec?.probe;
      if (probe) {
        const { timeoutSeconds, periodSeconds } = probeWithDefaults(probe);
        expect({ where, timeoutSeconds }).toEqual({
          where,
          timeoutSeconds: Math.min(timeoutSeconds, periodSeconds),
        });
      }
      const standIn = obj.spec?.authorization?.standIn;
      if (standIn) expect(standIn.maxOfflineAmountMinor).toBeGreaterThanOrEqual(standIn.floorLimitMinor);
      const ledger = obj.spec?.ledger;
      if (ledger) expect(ledger.standbys ?? []).not.toContain(ledger.primary);
    }
  });

  it('are checked for real: a broken copy of an example fails the same check', () => {
    const gateway = structuredClone(objects.find((o) => o.obj.kind === 'PaymentGateway')!.obj);
    gateway.spec.authorization.replicas = 0;
    gateway.spec.authorization.standIn.currency = 'eur';
    gateway.spec.failover.mode = 'Sometimes';
    delete gateway.spec.ledger.primary;
    const validate = ajv.compile(schemaOf('PaymentGateway'));
    expect(validate(gateway)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
    expect(paths).toEqual([
      '/spec/authorization/replicas minimum',
      '/spec/authorization/standIn/currency pattern',
      '/spec/failover/mode enum',
      '/spec/ledger required',
    ]);
  });

  it('reference only members that the examples define', () => {
    const names = (kind: string) =>
      objects.filter((o) => o.obj.kind === kind).map((o) => o.obj.metadata.name);
    for (const { obj } of objects.filter((o) => o.obj.kind === 'PaymentGateway')) {
      expect(names('CloudCluster')).toContain(obj.spec.ledger.primary);
      for (const s of obj.spec.ledger.standbys ?? []) expect(names('CloudCluster')).toContain(s);
      expect(names('Namespace')).toContain(obj.metadata.namespace);
    }
  });
});

describe('api helpers', () => {
  it('setCondition keeps lastTransitionTime while the status does not change', () => {
    const t0 = new Date('2026-01-01T00:00:00.123Z');
    const t1 = new Date('2026-01-01T00:05:00Z');
    const base = { type: 'Ready', status: 'False', reason: 'Probing', message: '' } as const;
    const first = setCondition(undefined, base, t0);
    expect(first).toEqual([{ ...base, lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const same = setCondition(first, { ...base, reason: 'StillProbing' }, t1);
    expect(same[0]).toMatchObject({ reason: 'StillProbing', lastTransitionTime: '2026-01-01T00:00:00Z' });
    const flipped = setCondition(same, { ...base, status: 'True', reason: 'Probed' }, t1);
    expect(flipped[0]!.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    const other: Condition[] = setCondition(flipped, { ...base, type: 'Reachable' }, t1);
    expect(other.map((c) => c.type)).toEqual(['Ready', 'Reachable']);
    expect(first).toHaveLength(1); // not mutated
  });

  it('gatewayLabelValue is <namespace>.<name>, and a valid label value when that is too long', () => {
    expect(gatewayLabelValue('payments', 'checkout')).toBe('payments.checkout');
    const long = gatewayLabelValue('n'.repeat(63), 'g'.repeat(40));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
    expect(gatewayLabelValue('n'.repeat(63), 'h'.repeat(40))).not.toBe(long);
    expect(workloadLabels({ namespace: 'payments', name: 'checkout' }, 'ledger')).toMatchObject({
      'app.kubernetes.io/component': 'ledger',
      'paygrid.io/gateway': 'payments.checkout',
      'app.kubernetes.io/managed-by': 'paygrid',
    });
  });

  it('fills defaults without overriding what is set', () => {
    expect(probeWithDefaults({ periodSeconds: 5 })).toEqual({ ...PROBE_DEFAULTS, periodSeconds: 5 });
    expect(failoverWithDefaults(undefined)).toEqual(FAILOVER_DEFAULTS);
    expect(failoverWithDefaults({ mode: 'Manual' }).mode).toBe('Manual');
  });
});
