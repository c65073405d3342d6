// Real faults for the suites: crash (stop the member's cluster), partition
// (black-hole the operator's path through the fault proxy), and their undo.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provider, testbedDir } from './clusters.js';

const script = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'testbed',
  provider === 'kind' ? 'kind.sh' : 'testbed.sh',
);

function testbed(...args: string[]): void {
  execFileSync('bash', [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const crash = (member: string) => testbed('crash', member);
export const restore = (member: string) => testbed('restore', member);
/** `up` again, as a user does after a machine restart (idempotent: starts stopped clusters). */
export const testbedUp = () => testbed('up');

async function proxyCall(member: string, action: 'partition' | 'heal'): Promise<void> {
  const { controlPort } = JSON.parse(readFileSync(join(testbedDir, 'proxy.json'), 'utf8')) as {
    controlPort: number;
  };
  const res = await fetch(`http://127.0.0.1:${controlPort}/members/${member}/${action}`, { method: 'POST' });
  if (!res.ok) throw new Error(`fault proxy ${action} ${member}: HTTP ${res.status} ${await res.text()}`);
}

export const partition = (member: string) => proxyCall(member, 'partition');
export const heal = (member: string) => proxyCall(member, 'heal');
