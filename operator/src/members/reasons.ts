// Reason strings (CamelCase, valid metav1.Condition reasons) used for member clusters:
// probe outcomes, kubeconfig problems, condition reasons and Event reasons. (The condition
// types themselves are MemberConditionType in ../api.)

/** Why a probe of a member's apiserver succeeded or failed. */
export const ProbeReason = {
  /** /readyz answered 200. */
  ProbeSucceeded: 'ProbeSucceeded',
  /** 401: the kubeconfig's credentials were rejected. */
  Unauthorized: 'Unauthorized',
  /** 403: the kubeconfig's user may not read the probed path. */
  Forbidden: 'Forbidden',
  /** No answer within probe.timeoutSeconds. */
  ProbeTimeout: 'ProbeTimeout',
  /** Connection refused or reset, no route to host, DNS failure. */
  Unreachable: 'Unreachable',
  /** TLS handshake or certificate problem. */
  TLSError: 'TLSError',
  /** The apiserver answered /readyz with something other than 200. */
  NotReady: 'NotReady',
  /** A failure that fits none of the above (the message says what happened). */
  ProbeError: 'ProbeError',
} as const;
export type ProbeReason = (typeof ProbeReason)[keyof typeof ProbeReason];

/** Why a member's kubeconfig could not be turned into a client. */
export const KubeconfigReason = {
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  KubeconfigInvalid: 'KubeconfigInvalid',
  KubeconfigNoCurrentContext: 'KubeconfigNoCurrentContext',
} as const;
export type KubeconfigReason = (typeof KubeconfigReason)[keyof typeof KubeconfigReason];

/** Any reason a probe outcome can carry: a probe reason, or a kubeconfig reason when no probe could be sent. */
export type OutcomeReason = ProbeReason | KubeconfigReason;

/**
 * Reasons of the Ready and Reachable conditions that are not probe or kubeconfig reasons
 * (an Unreachable member's Reachable condition carries the probe's own reason, e.g. ProbeTimeout).
 */
export const MemberConditionReason = {
  /** No probe has completed yet. */
  AwaitingFirstProbe: 'AwaitingFirstProbe',
  /** Reachable=True: the last probes succeeded. */
  ProbeSucceeded: 'ProbeSucceeded',
  /** Reachable=True: recent probes failed, but fewer than failureThreshold in a row. */
  ProbeFailing: 'ProbeFailing',
  /** Reachable=True, Ready=False: answering again after being unreachable, not yet trusted. */
  Recovering: 'Recovering',
  /** Ready=True: healthy and able to take placements. */
  Healthy: 'Healthy',
  /** Ready=False: healthy, but cordoned by the SRE (no new placements; existing ones are drained). */
  Cordoned: 'Cordoned',
  /** Ready=False: the apiserver answers but no node is Ready. */
  NoReadyNodes: 'NoReadyNodes',
  /** Ready=False: the member is Unreachable. */
  SiteUnreachable: 'SiteUnreachable',
} as const;
export type MemberConditionReason = (typeof MemberConditionReason)[keyof typeof MemberConditionReason];

/** Reasons of the Kubernetes Events emitted on health transitions. */
export const MemberEventReason = {
  /** Unknown/Suspect -> Healthy (first contact, or a blip that healed). Normal. */
  SiteReachable: 'SiteReachable',
  /** Healthy -> Suspect. Warning. */
  SiteSuspect: 'SiteSuspect',
  /** -> Unreachable. Warning. */
  SiteUnreachable: 'SiteUnreachable',
  /** Unreachable -> Recovering. Normal. */
  SiteRecovering: 'SiteRecovering',
  /** Recovering -> Healthy. Normal. */
  SiteRecovered: 'SiteRecovered',
} as const;
export type MemberEventReason = (typeof MemberEventReason)[keyof typeof MemberEventReason];
