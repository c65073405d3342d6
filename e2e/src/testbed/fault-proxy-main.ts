// Runs one MemberProxy per member and a small control API:
//   GET  /members                    state of every proxy
//   POST /members/<m>/partition      black-hole the member
//   POST /members/<m>/heal           restore it
// Writes <dir>/proxy.json with the ports, for the scripts and the suites.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { MemberProxy } from './fault-proxy.js';
import { TESTBED_MEMBERS } from './clusters.js';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
if (!values.dir) throw new Error('--dir is required');
const dir = values.dir;

function upstreamOf(member: string): { host: string; port: number } {
  const kc = parse(readFileSync(join(dir, 'members', `${member}.direct.kubeconfig`), 'utf8')) as {
    clusters: { cluster: { server: string } }[];
  };
  const url = new URL(kc.clusters[0]!.cluster.server);
  return { host: url.hostname, port: Number(url.port) };
}

const proxies = new Map<string, MemberProxy>();
const ports: Record<string, { listenPort: number; upstream: string }> = {};
for (const m of TESTBED_MEMBERS) {
  const target = upstreamOf(m);
  const p = new MemberProxy(m, target);
  ports[m] = { listenPort: await p.listen(), upstream: `${target.host}:${target.port}` };
  proxies.set(m, p);
}

const control = createServer((req, res) => {
  const parts = (req.url ?? '').split('/').filter(Boolean);
  const reply = (code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && parts.length === 1 && parts[0] === 'members') {
    const state = Object.fromEntries(
      [...proxies].map(([m, p]) => [
        m,
        { ...ports[m], partitioned: p.isPartitioned, connections: p.connections },
      ]),
    );
    return reply(200, state);
  }
  const proxy = parts[0] === 'members' ? proxies.get(parts[1] ?? '') : undefined;
  if (req.method === 'POST' && proxy && parts.length === 3) {
    if (parts[2] === 'partition') proxy.partition();
    else if (parts[2] === 'heal') proxy.heal();
    else return reply(404, { error: `unknown action ${parts[2]}: use partition or heal` });
    return reply(200, { member: proxy.member, partitioned: proxy.isPartitioned });
  }
  reply(404, { error: 'unknown path: GET /members, POST /members/<member>/{partition,heal}' });
});
control.listen(0, '127.0.0.1', () => {
  const controlPort = (control.address() as { port: number }).port;
  const tmp = join(dir, 'proxy.json.tmp');
  writeFileSync(tmp, JSON.stringify({ controlPort, members: ports }, null, 2));
  renameSync(tmp, join(dir, 'proxy.json'));
  console.log(`fault proxy: control on 127.0.0.1:${controlPort}`, ports);
});

const stop = () => {
  control.close();
  void Promise.all([...proxies.values()].map((p) => p.close())).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
