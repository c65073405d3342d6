// admission.k8s.io/v1 AdmissionReview: the request the apiserver sends and the response it
// expects (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/).

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  /** The object after the change (null on DELETE). */
  object?: unknown;
  /** The object before the change (UPDATE and DELETE). */
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

export interface AdmissionStatus {
  code: number;
  /** A metav1.StatusReason, e.g. Forbidden or Invalid. */
  reason?: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  /** Shown by kubectl as "Warning: ..." lines; at most 256 characters each, no newlines. */
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** What a rule set decides about one request. */
export interface Verdict {
  allowed: boolean;
  /** For denials: HTTP-style code (403 policy, 422 invalid, 503 could not check). */
  code?: number;
  reason?: string;
  message?: string;
  warnings: string[];
}

export const allow = (warnings: string[] = []): Verdict => ({ allowed: true, warnings });

export const deny = (
  message: string,
  opts: { code?: number; reason?: string; warnings?: string[] } = {},
): Verdict => ({
  allowed: false,
  code: opts.code ?? 403,
  reason: opts.reason ?? 'Forbidden',
  message,
  warnings: opts.warnings ?? [],
});

/** The most a warning may hold before the apiserver truncates it. */
export const MAX_WARNING_LENGTH = 256;
/** Admission warnings beyond this many are dropped by the apiserver's budget anyway. */
export const MAX_WARNINGS = 10;

/** A warning as the apiserver accepts it: one line, at most 256 characters. */
export function sanitizeWarning(w: string): string {
  const line = w.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_WARNING_LENGTH ? line : `${line.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

/** The AdmissionReview answering `request` with `verdict`. */
export function toReview(uid: string, verdict: Verdict): AdmissionReview {
  const response: AdmissionResponse = { uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    response.status = {
      code: verdict.code ?? 403,
      reason: verdict.reason ?? 'Forbidden',
      message: verdict.message ?? 'denied',
    };
  }
  const warnings = [...new Set(verdict.warnings.map(sanitizeWarning))].filter((w) => w !== '');
  if (warnings.length > 0) response.warnings = warnings.slice(0, MAX_WARNINGS);
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** A short problem with a review's shape, or undefined when it is usable. */
export function reviewProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body is not a JSON object';
  const review = body as Partial<AdmissionReview>;
  if (review.kind !== 'AdmissionReview') return 'kind is not AdmissionReview';
  if (review.apiVersion !== ADMISSION_API_VERSION) {
    return `apiVersion ${JSON.stringify(review.apiVersion)} is not ${ADMISSION_API_VERSION} (set admissionReviewVersions: [v1])`;
  }
  const r = review.request;
  if (typeof r !== 'object' || r === null) return 'request is missing';
  if (typeof r.uid !== 'string' || r.uid === '') return 'request.uid is missing';
  if (typeof r.kind !== 'object' || r.kind === null || typeof r.kind.kind !== 'string') {
    return 'request.kind is missing';
  }
  if (typeof r.operation !== 'string') return 'request.operation is missing';
  return undefined;
}
