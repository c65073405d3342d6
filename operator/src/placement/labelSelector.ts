// Kubernetes label selector semantics (metav1.LabelSelector): matchLabels and matchExpressions
// are ANDed; an empty selector matches everything.
import type { LabelSelector } from '../api/index.js';

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

/**
 * What is wrong with a selector, one sentence per problem; empty when it is valid. The CRD already
 * rejects most of these; this guards selectors that reach the planner some other way.
 */
export function labelSelectorProblems(selector: LabelSelector | undefined): string[] {
  const problems: string[] = [];
  for (const [i, req] of (selector?.matchExpressions ?? []).entries()) {
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          problems.push(`matchExpressions[${i}] (key ${req.key}): operator ${req.operator} needs values`);
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          problems.push(`matchExpressions[${i}] (key ${req.key}): operator ${req.operator} takes no values`);
        }
        break;
      default:
        problems.push(
          `matchExpressions[${i}] (key ${req.key}): unknown operator ${String(req.operator)} ` +
            '(use In, NotIn, Exists or DoesNotExist)',
        );
    }
  }
  return problems;
}

function matchesRequirement(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/**
 * Whether labels satisfy the selector. An absent or empty selector matches everything (the CRD
 * default `{}`); an invalid selector (see labelSelectorProblems) matches nothing.
 */
export function matchesLabelSelector(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return true;
  if (labelSelectorProblems(selector).length > 0) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => matchesRequirement(req, labels));
}

/** kubectl-style text of a selector, e.g. `tier=gold, region in (eu-west, eu-north), !legacy`. */
export function describeLabelSelector(selector: LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const key of Object.keys(selector?.matchLabels ?? {}).sort()) {
    parts.push(`${key}=${selector?.matchLabels?.[key] ?? ''}`);
  }
  for (const req of selector?.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(', ');
    switch (req.operator) {
      case 'In':
        parts.push(`${req.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${req.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(req.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${req.key}`);
        break;
      default:
        parts.push(`${req.key} ${String(req.operator)} (${values})`);
    }
  }
  return parts.length === 0 ? '{} (everything)' : parts.join(', ');
}
