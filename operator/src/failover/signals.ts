// Looking up the workload signals the controller passes in.
import type { Component, MemberKind } from '../api/index.js';
import type { WorkloadSignal } from './types.js';

export type SignalLookup = (
  kind: MemberKind,
  name: string,
  component: Component,
) => WorkloadSignal | undefined;

/** An index of signals; a signal with a kind wins over one without for the same member. */
export function indexSignals(signals: readonly WorkloadSignal[]): SignalLookup {
  const kinded = new Map<string, WorkloadSignal>();
  const byName = new Map<string, WorkloadSignal>();
  for (const s of signals) {
    if (s.memberKind !== undefined) {
      const key = `${s.memberKind}/${s.member}|${s.component}`;
      if (!kinded.has(key)) kinded.set(key, s);
    } else {
      const key = `${s.member}|${s.component}`;
      if (!byName.has(key)) byName.set(key, s);
    }
  }
  return (kind, name, component) =>
    kinded.get(`${kind}/${name}|${component}`) ?? byName.get(`${name}|${component}`);
}

/** Observed, present and available: the workload can serve now. */
export function isAvailable(signal: WorkloadSignal | undefined): boolean {
  return signal?.observed === true && signal.available && signal.present !== false;
}

/** Observed to be gone from its member: a Draining placement may leave the plan. */
export function isGone(signal: WorkloadSignal | undefined): boolean {
  return signal?.observed === true && signal.present === false;
}
