// Container image references, checked like the container runtimes read them (the grammar of
// github.com/distribution/reference). The CRD's CEL rule already checks the shape with one
// regular expression; what a regular expression cannot say well is checked here: the port
// range, the length limits, and which references are valid but risky (no tag, :latest, no
// registry), which become warnings.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path            (at most 255 characters)
//   domain     := host [ ":" port ]              (host: DNS labels of at most 63 characters)
//   path       := component ( "/" component )*   (lowercase alphanumerics joined by . _ __ -)
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := algorithm ":" hex              (sha256: 64 lowercase hex digits)

/** distribution/reference's NameTotalLengthMax. */
export const NAME_TOTAL_LENGTH_MAX = 255;
const DOMAIN_LABEL_MAX = 63;

const DOMAIN_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([0-9a-fA-F]{32,})$/;

export interface ImageReference {
  /** Registry host and port, e.g. ghcr.io or registry.example.com:5000; undefined = implied docker.io. */
  readonly domain: string | undefined;
  /** Repository path, e.g. paygrid/authorization. */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export type ImageCheck =
  | { readonly ok: true; readonly reference: ImageReference; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problem: string };

const bad = (problem: string): ImageCheck => ({ ok: false, problem });

/**
 * Parses an image reference. On failure `problem` says what is wrong in a few words (no
 * fix: the caller adds one); on success `warnings` lists what is valid but unwise.
 */
export function checkImageReference(image: string): ImageCheck {
  if (image.length === 0) return bad('it is empty');
  if (image.trim() !== image || /\s/.test(image)) return bad('it contains spaces');

  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const m = DIGEST.exec(digest);
    if (!m) return bad(`the digest "${digest}" is not algorithm:hex (e.g. sha256:<64 hex digits>)`);
    if (m[1] === 'sha256' && !/^[a-f0-9]{64}$/.test(m[2] ?? '')) {
      return bad('a sha256 digest must be exactly 64 lowercase hex digits');
    }
  }

  // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      return bad(
        `the tag "${tag}" is not valid (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')`,
      );
    }
  }

  const name = rest;
  if (name.length === 0) return bad('it has no repository name');
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return bad(
      `its name (registry and repository) is ${name.length} characters long; at most ${NAME_TOTAL_LENGTH_MAX}`,
    );
  }

  const parts = name.split('/');
  let domain: string | undefined;
  const first = parts[0] ?? '';
  // As the runtimes decide: the first component is a registry when it has a '.' or a ':', is
  // localhost, or has an uppercase letter (which a repository path never has).
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first))
  ) {
    domain = first;
    parts.shift();
    const problem = domainProblem(domain);
    if (problem) return bad(problem);
  }
  if (parts.length === 0) return bad('it has no repository path after the registry');
  for (const c of parts) {
    if (c === '') return bad('its repository path has an empty component ("//" or a trailing "/")');
    if (!PATH_COMPONENT.test(c)) {
      return bad(
        `the repository path component "${c}" is not valid (lowercase letters and digits, separated by '.', '_', '__' or '-')`,
      );
    }
  }
  const path = parts.join('/');

  const warnings: string[] = [];
  if (!domain) {
    warnings.push(
      `names no registry, so it resolves to docker.io/${parts.length === 1 ? 'library/' : ''}${path}: write the registry out (e.g. ghcr.io/${path})`,
    );
  }
  if (!digest) {
    if (tag === undefined)
      warnings.push('has no tag or digest, so every pull may get a different build (:latest)');
    else if (tag === 'latest') warnings.push('uses the :latest tag, so every pull may get a different build');
  }
  return { ok: true, reference: { domain, path, tag, digest }, warnings };
}

function domainProblem(domain: string): string | undefined {
  let host = domain;
  const colon = domain.lastIndexOf(':');
  if (colon >= 0) {
    host = domain.slice(0, colon);
    const port = domain.slice(colon + 1);
    if (!/^[0-9]+$/.test(port)) return `the registry port "${port}" is not a number`;
    const n = Number(port);
    if (n < 1 || n > 65535) return `the registry port ${port} is out of range (1-65535)`;
  }
  if (host.length === 0) return 'the registry has no host name';
  for (const label of host.split('.')) {
    if (label.length > DOMAIN_LABEL_MAX) {
      return `the registry host "${host}" has a label of ${label.length} characters; at most ${DOMAIN_LABEL_MAX}`;
    }
    if (!DOMAIN_LABEL.test(label)) {
      return `the registry host "${host}" is not a valid DNS name (letters, digits and '-', labels separated by '.')`;
    }
  }
  return undefined;
}
