// A site's endpoint on the real-node testbed: listens on the node's address and forwards each TCP
// connection to a ready pod of one component (what a load balancer in front of a real site does;
// the testbed has no kube-proxy). The pod list is re-read every 500 ms from the member's apiserver.
//
//   node site-endpoint-main.js --kubeconfig K --listen 10.88.2.1:8443 --component authorization
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pick, readyTargets, type Target } from './site-endpoint.js';

const { values } = parseArgs({
  options: { kubeconfig: { type: 'string' }, listen: { type: 'string' }, component: { type: 'string' } },
});
if (!values.kubeconfig || !values.listen || !values.component) {
  throw new Error('usage: site-endpoint-main --kubeconfig K --listen HOST:PORT --component NAME');
}
const [host, portText] = values.listen.split(':') as [string, string];
const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig);
const api = kc.makeApiClient(CoreV1Api);
const selector = `paygrid.io/component=${values.component}`;
const POD_PORT = 8080; // render/ports.ts HTTP_PORT

let targets: Target[] = [];
let counter = 0;
async function refresh(): Promise<void> {
  try {
    const list = await api.listPodForAllNamespaces({ labelSelector: selector });
    targets = readyTargets(list.items, POD_PORT);
  } catch (e) {
    // Apiserver down (a crashed site): keep the last targets, as a load balancer would.
    console.error(`site-endpoint: listing pods: ${(e as Error).message}`);
  }
}
await refresh();
setInterval(() => void refresh(), 500).unref();

const server = createServer((client) => {
  const target = pick(targets, counter++);
  if (!target) {
    client.destroy();
    return;
  }
  const upstream = connect(target.port, target.host);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(Number(portText), host, () => console.error(`site-endpoint: ${values.listen} -> ${selector}`));
// setInterval is unref'd: the server keeps the process alive; SIGTERM ends it.
process.on('SIGTERM', () => process.exit(0));
