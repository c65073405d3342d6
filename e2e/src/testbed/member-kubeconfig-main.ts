// Writes <dir>/members/<member>.kubeconfig: the member's admin kubeconfig with
// its server pointed at the fault proxy, so partitions cut the operator's path.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

const { values } = parseArgs({ options: { dir: { type: 'string' }, member: { type: 'string' } } });
if (!values.dir || !values.member) throw new Error('--dir and --member are required');
const { dir, member } = values;
const proxy = JSON.parse(readFileSync(join(dir, 'proxy.json'), 'utf8')) as {
  members: Record<string, { listenPort: number }>;
};
const port = proxy.members[member]?.listenPort;
if (!port) throw new Error(`no proxy port for member ${member}`);
const kc = parse(readFileSync(join(dir, 'members', `${member}.direct.kubeconfig`), 'utf8')) as {
  clusters: { cluster: { server: string } }[];
};
for (const c of kc.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
writeFileSync(join(dir, 'members', `${member}.kubeconfig`), stringify(kc), { mode: 0o600 });
