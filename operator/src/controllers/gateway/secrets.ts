// Secrets: reads, from the hub, the Secrets the spec names for the components placed this pass
// (authorization's tokenization key, the ledger's and analytics' database URLs), so that apply can
// copy the one key each needs to the members that run it. A Secret that is missing, lacks the key
// or cannot be read is an Error on the gateway (Ready=False with the reason), and the component's
// Deployment and Secret copy are held as they are on every member: a deleted hub Secret never takes
// down a running site, and nothing rolls while the spec cannot be honoured.
//
// Secret values are only carried to the member's API: never logged, never in status or Events.
import type { V1Secret } from '@kubernetes/client-node';
import type { Component } from '../../api/index.js';
import { resolveGatewaySpec, type ResolvedSecretRef } from '../../placement/gatewaySpec.js';
import type { PlacementProblem } from '../../placement/index.js';
import { componentSecretRef, SECRET_MOUNTS, type CopiedSecret } from '../../render/index.js';
import { errorText } from '../../runtime/errors.js';
import type { GatewayDeps, GatewayPass } from './pass.js';
import { CONTINUE, type StepResult } from './step-result.js';

/** Reads a Secret of the hub; undefined when it does not exist (404). Other errors are thrown. */
export type HubSecretReader = (namespace: string, name: string) => Promise<V1Secret | undefined>;

export type SecretVerdict =
  | { readonly ok: true; readonly copied: CopiedSecret }
  | { readonly ok: false; readonly problem: PlacementProblem };

/** An example value for the kubectl hint in messages (never a real one). */
const EXAMPLE_VALUE: Record<Component, string> = {
  authorization: '"$(openssl rand -hex 32)"',
  ledger: "'postgres://USER:PASSWORD@HOST:5432/ledger'",
  analytics: "'postgres://USER:PASSWORD@HOST:5432/analytics'",
};

/** What to copy for one component, or the problem that holds it (pure). */
export function judgeSecret(
  namespace: string,
  component: Component,
  ref: ResolvedSecretRef,
  secret: V1Secret | undefined,
): SecretVerdict {
  const field = SECRET_MOUNTS[component].field;
  const problem = (reason: string, message: string): SecretVerdict => ({
    ok: false,
    problem: { component, severity: 'Error', reason, message: `${field}: ${message}` },
  });
  if (!secret) {
    return problem(
      'SecretNotFound',
      `Secret ${ref.name} does not exist in namespace ${namespace} on the hub; create it ` +
        `(kubectl -n ${namespace} create secret generic ${ref.name} --from-literal=${ref.key}=${EXAMPLE_VALUE[component]}) ` +
        `or name another; until then ${component} is left as it is on every member`,
    );
  }
  const value = secret.data?.[ref.key];
  if (value === undefined || value === '') {
    const keys = Object.keys(secret.data ?? {}).sort();
    return problem(
      'SecretKeyNotFound',
      `Secret ${namespace}/${ref.name} has no ${value === '' ? 'non-empty ' : ''}key ${ref.key} ` +
        `(its keys: ${keys.length ? keys.join(', ') : 'none'}); add it, or set ${field}.key; ` +
        `until then ${component} is left as it is on every member`,
    );
  }
  return {
    ok: true,
    copied: { value, version: `${secret.metadata?.uid ?? ''}/${secret.metadata?.resourceVersion ?? ''}` },
  };
}

export async function secretsStep(pass: GatewayPass, deps: GatewayDeps): Promise<StepResult> {
  if (pass.deleting || pass.paused) return CONTINUE;
  const spec = resolveGatewaySpec(pass.gateway);
  const namespace = spec.namespace;
  const placed = new Set(pass.placements.filter((p) => p.state !== 'Draining').map((p) => p.component));
  await Promise.all(
    [...placed].map(async (component) => {
      const ref = componentSecretRef(spec, component);
      if (!ref) return;
      let verdict: SecretVerdict;
      try {
        verdict = judgeSecret(namespace, component, ref, await deps.readHubSecret(namespace, ref.name));
      } catch (err) {
        verdict = {
          ok: false,
          problem: {
            component,
            severity: 'Error',
            reason: 'SecretUnreadable',
            message: `${SECRET_MOUNTS[component].field}: reading Secret ${namespace}/${ref.name} on the hub failed (${errorText(err)}); ${component} is left as it is on every member until it can be read`,
          },
        };
      }
      if (verdict.ok) pass.secrets.set(component, verdict.copied);
      else {
        pass.heldComponents.add(component);
        pass.problems.push(verdict.problem);
      }
    }),
  );
  return CONTINUE;
}
