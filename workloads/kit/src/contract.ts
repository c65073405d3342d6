// The contract between the operator and a payment service: the files the operator renders into
// the placement's ConfigMap and mounts under /etc/paygrid (operator/src/render/config.ts). Parsing
// is pure; a missing or malformed file is an error that names the file and what it must hold.

/** File names under the contract directory, as the operator writes them. */
export const CONTRACT_FILES = {
  gateway: 'gateway',
  component: 'component',
  member: 'member',
  memberKind: 'member-kind',
  region: 'region',
  zone: 'zone',
  role: 'role',
  epoch: 'epoch',
  replacedMember: 'replaced-member',
  fencedMembers: 'fenced-members',
  ledgerEndpoint: 'ledger-endpoint',
  standInFloorLimitMinor: 'stand-in-floor-limit-minor',
  standInMaxOfflineCount: 'stand-in-max-offline-count',
  standInMaxOfflineAmountMinor: 'stand-in-max-offline-amount-minor',
  standInCurrency: 'stand-in-currency',
} as const;

export const COMPONENTS = ['authorization', 'ledger', 'analytics'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Placement states as the operator writes them into `role`. */
export const ROLES = ['Active', 'FailoverTarget', 'Standby', 'Draining', 'Lost'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that serve traffic: the ones the operator puts into a gateway's routes. */
export function servesTraffic(role: Role): boolean {
  return role === 'Active' || role === 'FailoverTarget';
}

export interface StandInLimits {
  /** Largest single payment a site may approve alone, in minor units. */
  readonly floorLimitMinor: number;
  /** How many stand-in approvals a site may hold unforwarded at once. */
  readonly maxOfflineCount: number;
  /** Total of stand-in approvals a site may hold unforwarded at once, in minor units. */
  readonly maxOfflineAmountMinor: number;
  /** ISO 4217 currency of the limits; stand-in approves only this currency. */
  readonly currency: string;
}

export interface Contract {
  /** `<namespace>/<name>` of the PaymentGateway. */
  readonly gateway: string;
  readonly component: Component;
  readonly member: string;
  readonly memberKind: string;
  readonly region: string;
  readonly zone?: string;
  readonly role: Role;
  /** The gateway's fencing token: grows by one on every placement change. */
  readonly epoch: number;
  /** The member this placement replaced, when it is a failover target. */
  readonly replacedMember?: string;
  /** Members whose authorization placement is Lost: this site's ledger writes fence them. */
  readonly fencedMembers?: readonly string[];
  /** Base URL of the serving ledger (authorization only). */
  readonly ledgerEndpoint?: string;
  /** Stand-in limits (authorization only). */
  readonly standIn?: StandInLimits;
}

export class ContractError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ContractError';
  }
}

type Files = Readonly<Record<string, string | undefined>>;

function text(files: Files, file: string): string | undefined {
  const v = files[file]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function required(files: Files, file: string): string {
  const v = text(files, file);
  if (v === undefined)
    throw new ContractError(file, 'missing or empty; the operator writes it into the placement ConfigMap');
  return v;
}

function nonNegativeInteger(files: Files, file: string): number {
  const raw = required(files, file);
  if (!/^\d{1,15}$/.test(raw))
    throw new ContractError(file, `must be a non-negative integer, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

function oneOf<T extends string>(files: Files, file: string, allowed: readonly T[]): T {
  const raw = required(files, file);
  if (!(allowed as readonly string[]).includes(raw))
    throw new ContractError(file, `must be one of ${allowed.join(', ')}, got "${raw.slice(0, 40)}"`);
  return raw as T;
}

/** A member cluster's name as the contract and the fencing headers carry it (a DNS subdomain). */
export function isMemberName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name);
}

/** Comma-separated member names (fenced-members, Paygrid-Fenced-Members); absent is none. */
export function memberList(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

/** Parses the contract files; throws ContractError naming the first bad file. */
export function parseContract(files: Files): Contract {
  const F = CONTRACT_FILES;
  const component = oneOf(files, F.component, COMPONENTS);
  const zone = text(files, F.zone);
  const replacedMember = text(files, F.replacedMember);
  const fencedMembers = memberList(text(files, F.fencedMembers));
  for (const m of fencedMembers)
    if (!isMemberName(m))
      throw new ContractError(
        F.fencedMembers,
        `must be member names separated by commas, got "${m.slice(0, 80)}"`,
      );
  const ledgerEndpoint = text(files, F.ledgerEndpoint);
  if (ledgerEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(ledgerEndpoint))
    throw new ContractError(F.ledgerEndpoint, `must be an http(s) URL, got "${ledgerEndpoint.slice(0, 80)}"`);
  let standIn: StandInLimits | undefined;
  if (component === 'authorization') {
    const currency = required(files, F.standInCurrency);
    if (!/^[A-Z]{3}$/.test(currency))
      throw new ContractError(
        F.standInCurrency,
        `must be an ISO 4217 code (three capitals), got "${currency.slice(0, 20)}"`,
      );
    standIn = {
      floorLimitMinor: nonNegativeInteger(files, F.standInFloorLimitMinor),
      maxOfflineCount: nonNegativeInteger(files, F.standInMaxOfflineCount),
      maxOfflineAmountMinor: nonNegativeInteger(files, F.standInMaxOfflineAmountMinor),
      currency,
    };
  }
  return {
    gateway: required(files, F.gateway),
    component,
    member: required(files, F.member),
    memberKind: required(files, F.memberKind),
    region: required(files, F.region),
    ...(zone !== undefined ? { zone } : {}),
    role: oneOf(files, F.role, ROLES),
    epoch: nonNegativeInteger(files, F.epoch),
    ...(replacedMember !== undefined ? { replacedMember } : {}),
    ...(fencedMembers.length > 0 ? { fencedMembers } : {}),
    ...(ledgerEndpoint !== undefined ? { ledgerEndpoint: ledgerEndpoint.replace(/\/+$/, '') } : {}),
    ...(standIn !== undefined ? { standIn } : {}),
  };
}

/** True when two contracts say the same thing. */
export function sameContract(a: Contract | undefined, b: Contract | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
