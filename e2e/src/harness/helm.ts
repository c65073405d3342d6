// The chart rendered with helm (as `make tools` built it), as the suites need it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repo } from './install.js';
import { helmBinary } from './tools.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** `helm template <release> charts/paygrid -n <namespace> <args>`, as parsed documents. */
export function renderChart(release: string, namespace: string, args: string[]): Obj[] {
  const out = execFileSync(
    helmBinary(),
    [
      'template',
      release,
      join(repo, 'charts', 'paygrid'),
      '--namespace',
      namespace,
      '--kube-version',
      '1.35.0',
      ...args,
    ],
    { encoding: 'utf8' },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

/**
 * The chart's webhook objects for a webhook reached by URL (`webhook.url`), limited to objects
 * carrying `selector`'s labels: the ValidatingWebhookConfiguration as rendered, and the serving
 * certificate, its key and the CA the chart made for that URL's host.
 */
export function chartWebhookForUrl(
  release: string,
  namespace: string,
  url: string,
  selector: Record<string, string>,
): { vwc: Obj; cert: Buffer; key: Buffer; ca: string } {
  const docs = renderChart(release, namespace, [
    '--show-only',
    'templates/webhook.yaml',
    '--set',
    `webhook.url=${url}`,
    '--set-json',
    `webhook.objectSelector=${JSON.stringify({ matchLabels: selector })}`,
  ]);
  const vwc = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration');
  const serving = docs.find((d) => d.kind === 'Secret' && d.data?.['ca.crt']);
  if (!vwc || !serving)
    throw new Error('the chart rendered no ValidatingWebhookConfiguration or serving Secret');
  const field = (k: string) => Buffer.from(serving.data[k] as string, 'base64');
  return { vwc, cert: field('tls.crt'), key: field('tls.key'), ca: field('ca.crt').toString() };
}
