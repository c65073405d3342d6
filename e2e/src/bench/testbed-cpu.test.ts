import { cpuByProcess, cpuSpent, formatCpu, testbedComponent } from './testbed-cpu.js';

// utime 300 + stime 100 ticks = 4 s at 100 ticks/s; comm with a space and parentheses.
const stat = (utime: number, stime: number) =>
  `42 (kube apiserver) S 1 42 42 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 9 0 100 1 1`;

describe('testbed CPU split', () => {
  const wd = '/tmp/tb/kwok';
  it('names testbed processes by their binary and ignores the rest', () => {
    expect(
      testbedComponent(['/root/.cache/bin/kube-apiserver', `--etcd-prefix=${wd}/clusters/hub`], wd),
    ).toBe('kube-apiserver');
    expect(testbedComponent(['/usr/bin/node', 'operator/dist/main.js'], wd)).toBeUndefined();
    expect(testbedComponent([], wd)).toBeUndefined();
  });
  it('sums per component what each process spent, whether it stopped or started in between', () => {
    const before = cpuByProcess(
      [
        { pid: '1', argv: ['/b/etcd', `--data-dir=${wd}/clusters/hub/etcd`], stat: stat(100, 0) },
        { pid: '2', argv: ['/b/etcd', `--data-dir=${wd}/clusters/edge-a/etcd`], stat: stat(50, 50) },
        { pid: '3', argv: ['/usr/bin/node'], stat: stat(9999, 0) },
      ],
      wd,
    );
    expect([...before.keys()]).toEqual(['1', '2']);
    // edge-a's etcd (pid 2) was stopped; a scheduler (pid 4) started.
    const after = cpuByProcess(
      [
        { pid: '1', argv: ['/b/etcd', `--data-dir=${wd}/clusters/hub/etcd`], stat: stat(350, 0) },
        {
          pid: '4',
          argv: ['/b/kube-scheduler', `--kubeconfig=${wd}/clusters/hub/kubeconfig`],
          stat: stat(100, 0),
        },
      ],
      wd,
    );
    const spent = cpuSpent(before, after);
    expect(spent).toEqual(
      new Map([
        ['etcd', 2.5],
        ['kube-scheduler', 1],
      ]),
    );
    expect(formatCpu(spent)).toBe('etcd 2.5 s, kube-scheduler 1.0 s');
  });
});
