// A site's endpoint on the real-node testbed: listens on the node's address and forwards to ready
// pods (what a load balancer in front of a real site does; the testbed has no kube-proxy). The pod
// lists are re-read every 500 ms from the member's apiserver.
//
//   node site-endpoint-main.js --kubeconfig K --listen 10.88.2.1:8080 --component authorization
//     each TCP connection to a ready pod of one component (an edge site);
//   node site-endpoint-main.js --kubeconfig K --listen 10.88.1.1:8080 \
//       --route /v1/authorizations=authorization --route /=ledger
//     each HTTP request by its path (a cloud site, whose one endpoint is both the ledger's URL and,
//     when authorization fails over to the cloud, the terminals' route: an ingress's job).
import { request as httpRequest, createServer as createHttpServer, Agent } from 'node:http';
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parseRoute, pick, readyTargets, routeFor, type Target } from './site-endpoint.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    listen: { type: 'string' },
    component: { type: 'string' },
    route: { type: 'string', multiple: true },
  },
});
const routes = (values.route ?? []).map(parseRoute);
if (!values.kubeconfig || !values.listen || !values.component === (routes.length === 0)) {
  throw new Error(
    'usage: site-endpoint-main --kubeconfig K --listen HOST:PORT (--component NAME | --route PREFIX=NAME ...)',
  );
}
const [host, portText] = values.listen.split(':') as [string, string];
const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig);
const api = kc.makeApiClient(CoreV1Api);
const components = values.component ? [values.component] : [...new Set(routes.map((r) => r.component))];
const POD_PORT = 8080; // render/ports.ts HTTP_PORT

const targets = new Map<string, Target[]>(components.map((c) => [c, []]));
let counter = 0;
async function refresh(): Promise<void> {
  for (const component of components) {
    try {
      const list = await api.listPodForAllNamespaces({ labelSelector: `paygrid.io/component=${component}` });
      targets.set(component, readyTargets(list.items, POD_PORT));
    } catch (e) {
      // Apiserver down (a crashed site): keep the last targets, as a load balancer would.
      console.error(`site-endpoint: listing ${component} pods: ${(e as Error).message}`);
    }
  }
}
await refresh();
setInterval(() => void refresh(), 500).unref();

const listening = () => console.error(`site-endpoint: ${values.listen} -> ${components.join(', ')}`);
if (values.component) {
  const component = values.component;
  const server = createServer((client) => {
    const target = pick(targets.get(component) ?? [], counter++);
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
  server.listen(Number(portText), host, listening);
} else {
  const agent = new Agent({ keepAlive: true });
  const server = createHttpServer((req, res) => {
    const component = routeFor(routes, req.url ?? '/');
    const target = component === undefined ? undefined : pick(targets.get(component) ?? [], counter++);
    if (!target) {
      // What an ingress answers with no ready backend: the client tries its next route.
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`no ready ${component ?? 'backend'} pod\n`);
      return;
    }
    const upstream = httpRequest(
      {
        host: target.host,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream failed\n');
      else res.destroy();
    });
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.listen(Number(portText), host, listening);
}
// setInterval is unref'd: the server keeps the process alive; SIGTERM ends it.
process.on('SIGTERM', () => process.exit(0));
