// Turn a member's kubeconfig Secret into a KubeConfig of its own.
//
// Every member gets a NEW KubeConfig holding only its current context, cluster and user; a
// shared KubeConfig is never switched between contexts. Problems are classified with a
// CamelCase reason and a message that says what is wrong and where, without ever repeating
// the kubeconfig's content (tokens, keys, certificates, passwords).
//
// Like Flux, a kubeconfig from a Secret may not run credential plugins (exec, auth-provider)
// or read files from the operator's filesystem (token-file, client-key, ...) unless the
// operator allows it explicitly: whoever can write a Secret in the operator's namespace
// should not get to run commands or read files as the operator.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KubeConfig, type Cluster, type Context, type User, type V1Secret } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import type { SecretKeyRef } from '../api/index.js';
import { KubeconfigReason } from './reasons.js';

export const DEFAULT_KUBECONFIG_KEY = 'kubeconfig';

export type KubeconfigResult =
  | {
      readonly ok: true;
      readonly kubeConfig: KubeConfig;
      /** The API server URL, with any user info and query removed (safe to show). */
      readonly server: string;
      readonly context: string;
    }
  | { readonly ok: false; readonly reason: KubeconfigReason; readonly message: string };

export interface KubeconfigParseOptions {
  /** Allow exec credential plugins and auth-provider entries (default false). */
  readonly allowCredentialPlugins?: boolean;
  /** Allow token-file, certificate-authority, client-certificate and client-key paths (default false). */
  readonly allowFileReferences?: boolean;
  /** How to name the kubeconfig in messages, e.g. 'kubeconfig in Secret ns/name key "kubeconfig"'. */
  readonly source?: string;
}

export interface KubeconfigSecretOptions extends KubeconfigParseOptions {
  /** The operator's namespace, where the Secret lives (for messages). */
  readonly namespace: string;
}

type Failure = Extract<KubeconfigResult, { ok: false }>;

const fail = (reason: KubeconfigReason, message: string): Failure => ({ ok: false, reason, message });

/**
 * Read the kubeconfig at `ref` from `secret` (undefined = the Secret does not exist) and
 * build a KubeConfig for it.
 */
export function kubeConfigFromSecret(
  secret: V1Secret | undefined,
  ref: SecretKeyRef,
  options: KubeconfigSecretOptions,
): KubeconfigResult {
  const key = ref.key || DEFAULT_KUBECONFIG_KEY;
  const where = `Secret ${options.namespace}/${ref.name}`;
  if (!secret) {
    return fail(
      KubeconfigReason.SecretNotFound,
      `${where} not found: create it in the operator's namespace with the member's kubeconfig under key "${key}"`,
    );
  }
  const data = secret.data ?? {};
  const value = data[key];
  if (value === undefined) {
    const keys = Object.keys(data).sort();
    const has =
      keys.length === 0 ? 'it has no data' : `its keys are ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
    return fail(
      KubeconfigReason.SecretKeyMissing,
      `${where} has no key "${key}"; ${has}: put the kubeconfig under "${key}" or set kubeconfigSecretRef.key`,
    );
  }
  const text = Buffer.from(value, 'base64').toString('utf8');
  return parseKubeconfig(text, {
    ...options,
    source: options.source ?? `kubeconfig in ${where} key "${key}"`,
  });
}

/**
 * The KubeConfig for a member: from its Secret, or the hub's own when the member has no
 * kubeconfigSecretRef (a CloudCluster that is the hub itself).
 */
export function memberKubeConfig(
  ref: SecretKeyRef | undefined,
  secret: V1Secret | undefined,
  options: KubeconfigSecretOptions & { readonly hub: KubeConfig },
): KubeconfigResult {
  if (!ref) {
    const cluster = options.hub.getCurrentCluster();
    if (!cluster) {
      return fail(
        KubeconfigReason.KubeconfigNoCurrentContext,
        "the operator's own kubeconfig has no current cluster, so the hub cannot be used as a member",
      );
    }
    return {
      ok: true,
      kubeConfig: options.hub,
      server: redactServer(cluster.server),
      context: options.hub.getCurrentContext(),
    };
  }
  return kubeConfigFromSecret(secret, ref, options);
}

/**
 * A fingerprint (sha256, hex) of a Secret's identity, resourceVersion and data: when it changes
 * the member's clients must be rebuilt. "absent" for a missing Secret.
 */
export function secretFingerprint(secret: V1Secret | undefined): string {
  if (!secret) return 'absent';
  const data = Object.entries(secret.data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  h.update(JSON.stringify([secret.metadata?.uid ?? '', secret.metadata?.resourceVersion ?? '', data]));
  return h.digest('hex');
}

/** A server URL without user info, query or fragment: safe for messages. Unparseable input gives "<invalid URL>". */
export function redactServer(server: string): string {
  try {
    const u = new URL(server);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const describeType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`);

/** Parse kubeconfig text (YAML or JSON) into a KubeConfig holding only its current context. */
export function parseKubeconfig(text: string, options: KubeconfigParseOptions = {}): KubeconfigResult {
  const source = options.source ?? 'kubeconfig';
  const invalid = (what: string) => fail(KubeconfigReason.KubeconfigInvalid, `${source} ${what}`);

  if (text.trim() === '') return invalid('is empty');
  const doc = parseDocument(text, { uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    // Never yamlError.message: it quotes the offending text.
    const pos = yamlError.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    return invalid(`is not valid YAML (${yamlError.code}${where})`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return invalid('could not be read as YAML (too many aliases?)');
  }
  if (!isMapping(root)) return invalid(`is not a kubeconfig: expected a mapping, got ${describeType(root)}`);

  const lists: Record<'clusters' | 'contexts' | 'users', Mapping[]> = {
    clusters: [],
    contexts: [],
    users: [],
  };
  for (const field of ['clusters', 'contexts', 'users'] as const) {
    const v = root[field];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) return invalid(`has a "${field}" that is ${describeType(v)}, not a list`);
    lists[field] = v.filter(isMapping);
  }
  const named = (list: Mapping[], name: string) => list.find((e) => e.name === name);
  const contextNames = lists.contexts.map((c) => c.name).filter(nonEmptyString);
  const listNames = (names: string[]) =>
    names.length === 0
      ? 'it defines no contexts'
      : `its contexts are ${names.map((n) => `"${n}"`).join(', ')}`;

  const currentName = root['current-context'];
  if (!nonEmptyString(currentName)) {
    return fail(
      KubeconfigReason.KubeconfigNoCurrentContext,
      `${source} sets no current-context (${listNames(contextNames)}): set current-context to the member's context`,
    );
  }
  const contextEntry = named(lists.contexts, currentName);
  if (!contextEntry) {
    return fail(
      KubeconfigReason.KubeconfigNoCurrentContext,
      `${source} has current-context "${currentName}", which it does not define (${listNames(contextNames)})`,
    );
  }
  const ctx = contextEntry.context;
  if (!isMapping(ctx)) return invalid(`context "${currentName}" has no "context" mapping`);
  const clusterName = ctx.cluster;
  if (!nonEmptyString(clusterName)) return invalid(`context "${currentName}" names no cluster`);
  const clusterEntry = named(lists.clusters, clusterName);
  if (!clusterEntry) {
    return invalid(`context "${currentName}" refers to cluster "${clusterName}", which is not defined`);
  }
  const userName = ctx.user;
  if (userName !== undefined && userName !== null && typeof userName !== 'string') {
    return invalid(`context "${currentName}" has a "user" that is ${describeType(userName)}`);
  }
  const userEntry = nonEmptyString(userName) ? named(lists.users, userName) : undefined;
  if (nonEmptyString(userName) && !userEntry) {
    return invalid(`context "${currentName}" refers to user "${userName}", which is not defined`);
  }

  const cluster = readCluster(clusterName, clusterEntry, options);
  if (typeof cluster === 'string') return invalid(cluster);
  const user = userEntry && nonEmptyString(userName) ? readUser(userName, userEntry, options) : undefined;
  if (typeof user === 'string') return invalid(user);

  const namespace = ctx.namespace;
  const context: Context = {
    name: currentName,
    cluster: clusterName,
    user: user?.name ?? '',
    ...(nonEmptyString(namespace) ? { namespace } : {}),
  };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [context],
    currentContext: currentName,
  });
  return { ok: true, kubeConfig, server: redactServer(cluster.server), context: currentName };
}

function readCluster(name: string, entry: Mapping, options: KubeconfigParseOptions): Cluster | string {
  const c = entry.cluster;
  const what = `cluster "${name}"`;
  if (!isMapping(c)) return `${what} has no "cluster" mapping`;
  const server = c.server;
  if (!nonEmptyString(server)) return `${what} has no server`;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `${what} has a server that is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `${what} has a server with scheme "${url.protocol.replace(/:$/, '')}"; use https://`;
  }
  const skipTLSVerify = c['insecure-skip-tls-verify'] === true;
  if (url.protocol === 'http:' && !skipTLSVerify) {
    return `${what} uses plain http:// (${redactServer(server)}), which is only allowed with insecure-skip-tls-verify: true; use https://`;
  }
  if (c['certificate-authority'] !== undefined && !options.allowFileReferences) {
    return `${what} refers to a certificate-authority file, which the operator does not read; inline it as certificate-authority-data`;
  }
  const caData = c['certificate-authority-data'];
  if (caData !== undefined) {
    if (!isPemData(caData, 'CERTIFICATE')) {
      return `${what} has certificate-authority-data that is not a base64-encoded PEM certificate`;
    }
  }
  const tlsServerName = c['tls-server-name'];
  const proxyUrl = c['proxy-url'];
  const caFile = c['certificate-authority'];
  return {
    name,
    server: server.replace(/\/$/, ''),
    skipTLSVerify,
    ...(typeof caData === 'string' ? { caData } : {}),
    ...(nonEmptyString(caFile) ? { caFile } : {}),
    ...(nonEmptyString(tlsServerName) ? { tlsServerName } : {}),
    ...(nonEmptyString(proxyUrl) ? { proxyUrl } : {}),
  };
}

function readUser(name: string, entry: Mapping, options: KubeconfigParseOptions): User | string {
  const what = `user "${name}"`;
  const u = entry.user ?? {};
  if (!isMapping(u)) return `${what} has a "user" that is ${describeType(u)}, not a mapping`;
  if (!options.allowCredentialPlugins) {
    if (u.exec !== undefined) {
      return `${what} uses an exec credential plugin, which the operator does not run for member kubeconfigs; use a token or a client certificate`;
    }
    if (u['auth-provider'] !== undefined) {
      return `${what} uses an auth-provider, which the operator does not run for member kubeconfigs; use a token or a client certificate`;
    }
  }
  if (!options.allowFileReferences) {
    for (const field of ['token-file', 'client-certificate', 'client-key']) {
      if (u[field] !== undefined) {
        return `${what} refers to a ${field} file, which the operator does not read; inline the credential (token, client-certificate-data, client-key-data)`;
      }
    }
  }
  const certData = u['client-certificate-data'];
  const keyData = u['client-key-data'];
  if (certData !== undefined && !isPemData(certData, 'CERTIFICATE')) {
    return `${what} has client-certificate-data that is not a base64-encoded PEM certificate`;
  }
  if (keyData !== undefined && !isPemData(keyData, 'PRIVATE KEY')) {
    return `${what} has client-key-data that is not a base64-encoded PEM private key`;
  }
  if ((certData === undefined) !== (keyData === undefined)) {
    return `${what} has ${certData === undefined ? 'client-key-data without client-certificate-data' : 'client-certificate-data without client-key-data'}`;
  }
  for (const field of ['token', 'username', 'password', 'as'] as const) {
    const v = u[field];
    if (v !== undefined && v !== null && typeof v !== 'string')
      return `${what} has a ${field} that is not a string`;
  }
  let token = typeof u.token === 'string' && u.token !== '' ? u.token : undefined;
  const tokenFile = u['token-file'];
  if (token === undefined && nonEmptyString(tokenFile) && options.allowFileReferences) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch {
      return `${what} has a token-file that cannot be read`;
    }
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const user: { -readonly [K in keyof User]: User[K] } = { name };
  const fields: [keyof User, unknown][] = [
    ['token', token],
    ['certData', certData],
    ['keyData', keyData],
    ['certFile', u['client-certificate']],
    ['keyFile', u['client-key']],
    ['username', u.username],
    ['password', u.password],
    ['impersonateUser', u.as],
  ];
  for (const [field, v] of fields) {
    const value = str(v);
    if (value !== undefined) (user as Record<string, unknown>)[field] = value;
  }
  if (u.exec !== undefined) user.exec = u.exec;
  if (u['auth-provider'] !== undefined) user.authProvider = u['auth-provider'];
  return user;
}

/** True when `value` is base64 of a PEM block whose label ends with `label` (e.g. "RSA PRIVATE KEY"). */
function isPemData(value: unknown, label: string): boolean {
  if (typeof value !== 'string' || value.trim() === '') return false;
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(value)) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const m = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(decoded);
  return m !== null && m[1]!.endsWith(label) && decoded.includes(`-----END ${m[1]}-----`);
}
