// The CRDs' OpenAPI schemas, compiled with ajv. The schemas are the ones generated from crds/
// (operator/src/api/generated/schemas.ts): there is no second copy to drift. The apiserver
// already enforces them (with CEL, which ajv does not run); the webhook checks them again so
// that what it validates further is known to have the right shape, even when the installed CRD
// is older than the operator.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { crdsByKind, type Kind } from '../api/index.js';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

export interface SchemaProblem {
  /** Dotted path of the field, e.g. spec.authorization.replicas. */
  readonly field: string;
  readonly message: string;
}

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

/** An ajv instance that understands the CRDs' formats and ignores the x-kubernetes-* keywords. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, messages: true });
  addFormats(ajv, ['date-time']);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  return ajv;
}

/** Validates objects of one kind against its CRD schema. */
export class SchemaValidator {
  private readonly validators: Record<Kind, ValidateFunction>;

  constructor(ajv: Ajv = createAjv()) {
    this.validators = {
      EdgeSite: ajv.compile(crdsByKind.EdgeSite.schema),
      CloudCluster: ajv.compile(crdsByKind.CloudCluster.schema),
      PaymentGateway: ajv.compile(crdsByKind.PaymentGateway.schema),
    };
  }

  /** The problems of `object` (empty when valid), at most `max`, one per field. */
  validate(kind: Kind, object: unknown, max = 10): SchemaProblem[] {
    const validate = this.validators[kind];
    if (validate(object)) return [];
    return describeErrors(validate.errors ?? []).slice(0, max);
  }
}

/** Turns ajv errors into one problem per field, worded for a person. */
export function describeErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // anyOf reports every branch and then itself; the branches say nothing useful alone.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    let field = pointerToField(e.instancePath);
    let message: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        field = joinField(field, String(p.missingProperty));
        message = 'is required';
        break;
      case 'enum':
        message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type':
        message = `must be ${article(String(p.type))}`;
        break;
      case 'additionalProperties':
        field = joinField(field, String(p.additionalProperty));
        message = 'is not a known field';
        break;
      case 'format':
        message = formatMessage(String(p.format));
        break;
      case 'anyOf':
        message = 'must be a number or a quantity string (e.g. 100m, 128Mi)';
        break;
      default:
        message = e.message ?? `is invalid (${e.keyword})`;
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: field || '(object)', message });
  }
  return out;
}

function formatMessage(format: string): string {
  switch (format) {
    case 'int32':
      return `must be a whole number from ${INT32_MIN} to ${INT32_MAX}`;
    case 'int64':
      return 'must be a whole number';
    case 'date-time':
      return 'must be an RFC 3339 date-time, e.g. 2025-01-31T12:00:00Z';
    default:
      return `must be a valid ${format}`;
  }
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** '/spec/authorization/resources/limits/cpu' -> 'spec.authorization.resources.limits.cpu'; '/a/0' -> 'a[0]'. */
export function pointerToField(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : joinField(acc, seg)), '');
}

function joinField(base: string, name: string): string {
  const seg = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
  if (base === '') return seg;
  return seg.startsWith('[') ? `${base}${seg}` : `${base}.${seg}`;
}
