import { HELP, parseArgs, parseDuration, parseSiteArg, SUBCOMMANDS, UsageError } from './args.js';

const cmd = (...argv: string[]) => parseArgs(argv).command;
const fails = (argv: string[], message: string, topic?: string) => {
  let err: unknown;
  try {
    parseArgs(argv);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).message).toBe(message);
  expect((err as UsageError).topic).toBe(topic);
};

describe('parseArgs', () => {
  it('shows help with no command, help, -h, and per command', () => {
    expect(cmd()).toEqual({ kind: 'help' });
    expect(cmd('--help')).toEqual({ kind: 'help' });
    expect(cmd('help')).toEqual({ kind: 'help' });
    expect(cmd('help', 'move')).toEqual({ kind: 'help', topic: 'move' });
    expect(cmd('drill', '-h')).toEqual({ kind: 'help', topic: 'drill' });
    expect(cmd('move', '--help')).toEqual({ kind: 'help', topic: 'move' });
    expect(cmd('version')).toEqual({ kind: 'version' });
    expect(cmd('--version')).toEqual({ kind: 'version' });
  });

  it('has help for every command, naming its usage', () => {
    for (const s of SUBCOMMANDS) expect(HELP[s]).toContain(`kubectl paygrid ${s}`);
    for (const s of SUBCOMMANDS) expect(HELP.root).toContain(`  ${s} `);
  });

  it('parses status', () => {
    expect(cmd('status')).toEqual({ kind: 'status', allNamespaces: false });
    expect(cmd('status', '-n', 'payments')).toEqual({
      kind: 'status',
      allNamespaces: false,
      namespace: 'payments',
    });
    expect(cmd('-n=payments', 'status')).toEqual({
      kind: 'status',
      allNamespaces: false,
      namespace: 'payments',
    });
    expect(cmd('status', '--namespace=payments')).toMatchObject({ namespace: 'payments' });
    expect(cmd('status', '-A')).toEqual({ kind: 'status', allNamespaces: true });
    expect(cmd('status', '--all-namespaces')).toEqual({ kind: 'status', allNamespaces: true });
  });

  it('takes global flags anywhere', () => {
    expect(parseArgs(['--kubeconfig', '/k', 'status', '--context=hub', '--request-timeout', '5s'])).toEqual({
      command: { kind: 'status', allNamespaces: false },
      globals: { kubeconfig: '/k', context: 'hub', requestTimeoutSeconds: 5 },
    });
    expect(parseArgs(['status']).globals).toEqual({ requestTimeoutSeconds: 30 });
  });

  it('parses drill with a plain or kinded site', () => {
    expect(cmd('drill', 'edge-a')).toEqual({ kind: 'drill', site: { name: 'edge-a' }, allNamespaces: false });
    expect(cmd('drill', 'cc/cloud-eu', '-n', 'payments')).toEqual({
      kind: 'drill',
      site: { name: 'cloud-eu', kind: 'CloudCluster' },
      allNamespaces: false,
      namespace: 'payments',
    });
  });

  it('parses cordon and uncordon', () => {
    expect(cmd('cordon', 'edge-a')).toEqual({
      kind: 'cordon',
      site: { name: 'edge-a', kind: 'EdgeSite' },
      dryRun: false,
    });
    expect(cmd('uncordon', 'es/edge-a', '--dry-run')).toEqual({
      kind: 'uncordon',
      site: { name: 'edge-a', kind: 'EdgeSite' },
      dryRun: true,
    });
  });

  it('parses move', () => {
    expect(cmd('move', 'checkout', '-n', 'payments', '--from', 'edge-a', '--to=edge-c')).toEqual({
      kind: 'move',
      gateway: 'checkout',
      namespace: 'payments',
      from: 'edge-a',
      to: 'edge-c',
      wait: false,
      timeoutSeconds: 300,
      dryRun: false,
    });
    expect(
      cmd('move', 'checkout', '--from', 'edge-a', '--to', 'edge-c', '--wait', '--timeout', '2m'),
    ).toMatchObject({
      wait: true,
      timeoutSeconds: 120,
    });
    expect(cmd('move', 'payments/checkout', '--from', 'a', '--to', 'b')).toMatchObject({
      gateway: 'checkout',
      namespace: 'payments',
    });
    expect(cmd('move', 'payments/checkout', '-n', 'payments', '--from', 'a', '--to', 'b')).toMatchObject({
      namespace: 'payments',
    });
  });

  it.each([
    [
      ['frobnicate'],
      'unknown command "frobnicate": use one of status, drill, cordon, uncordon, move, console',
      undefined,
    ],
    [
      ['help', 'nope'],
      'no help for "nope": use one of status, drill, cordon, uncordon, move, console',
      undefined,
    ],
    [['status', '--from', 'x'], 'unknown flag --from for "status"', 'status'],
    [['status', 'extra'], 'unexpected argument "extra" for "status"', 'status'],
    [['status', '-n'], 'flag -n needs a value', 'status'],
    [['status', '-n', '-A'], 'flag -n needs a value', 'status'],
    [['status', '-n', 'Pay_ments'], 'namespace "Pay_ments" is not a valid namespace name', 'status'],
    [['status', '-n', 'a', '-A'], '--namespace and --all-namespaces cannot be used together', 'status'],
    [['status', '-n', 'a', '-n', 'b'], 'flag --namespace is given more than once', 'status'],
    [
      ['status', '--request-timeout', 'soon'],
      '--request-timeout must be a duration such as 30s or 1m, not "soon"',
      'status',
    ],
    [['status', '-A=yes'], 'flag -A takes no value', 'status'],
    [['drill'], '"drill" needs a site: kubectl paygrid drill <site>', 'drill'],
    [['drill', 'a', 'b'], 'unexpected argument "b" for "drill"', 'drill'],
    [
      ['drill', 'node/a'],
      '"node" is not a kind of site: use edgesite/<name> (es/) or cloudcluster/<name> (cc/)',
      'drill',
    ],
    [['drill', 'Edge_A'], '"Edge_A" is not a valid site name (lowercase letters, digits, - and .)', 'drill'],
    [['cordon'], '"cordon" needs an EdgeSite: kubectl paygrid cordon <site>', 'cordon'],
    [['cordon', 'cc/cloud-eu'], 'only EdgeSites can be cordoned; cloud-eu is a CloudCluster', 'cordon'],
    [['move', 'checkout', '--to', 'b'], '"move" needs --from <site>', 'move'],
    [['move', 'checkout', '--from', 'a'], '"move" needs --to <site>', 'move'],
    [
      ['move', '--from', 'a', '--to', 'b'],
      '"move" needs a gateway: kubectl paygrid move <gateway> --from <site> --to <site>',
      'move',
    ],
    [['move', 'checkout', '--from', 'a', '--to', 'a'], '--from and --to are both a', 'move'],
    [
      ['move', 'payments/checkout', '-n', 'other', '--from', 'a', '--to', 'b'],
      '"payments/checkout" is in namespace payments, but --namespace is other',
      'move',
    ],
    [
      ['move', 'Pay/checkout', '--from', 'a', '--to', 'b'],
      '"Pay" in "Pay/checkout" is not a valid namespace name',
      'move',
    ],
    [['move', 'checkout', '--from', 'A', '--to', 'b'], '--from "A" is not a valid site name', 'move'],
    [
      ['move', 'checkout', '--from', 'a', '--to', 'b', '--timeout', '1m'],
      '--timeout only applies with --wait',
      'move',
    ],
    [
      ['move', 'checkout', '--from', 'a', '--to', 'b', '--wait', '--timeout', 'x'],
      '--timeout must be a duration such as 90s or 5m, not "x"',
      'move',
    ],
    [
      ['move', 'checkout', '--from', 'a', '--to', 'b', '--wait', '--dry-run'],
      '--dry-run and --wait cannot be used together',
      'move',
    ],
  ])('rejects %j', (argv, message, topic) => fails(argv, message, topic));
});

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1m5s', 65],
    ['', undefined],
    ['5 m', undefined],
    ['-1s', undefined],
  ])('%s → %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
});

describe('parseSiteArg', () => {
  it('knows the kinds by short name, singular, plural and full name', () => {
    for (const k of ['es', 'edgesite', 'EdgeSites', 'edgesite.paygrid.io'])
      expect(parseSiteArg(`${k}/x`)).toEqual({ name: 'x', kind: 'EdgeSite' });
    for (const k of ['cc', 'cloudcluster', 'cloudclusters.paygrid.io'])
      expect(parseSiteArg(`${k}/x`)).toEqual({ name: 'x', kind: 'CloudCluster' });
  });
});

describe('parseArgs console', () => {
  it('takes --open, --port, --operator-namespace and --lease, with defaults', () => {
    expect(parseArgs(['console']).command).toEqual({
      kind: 'console',
      open: false,
      port: 0,
      operatorNamespace: 'paygrid-system',
      lease: 'paygrid-operator-leader',
    });
    expect(
      parseArgs(['console', '--open', '--port=9090', '--operator-namespace', 'ops']).command,
    ).toMatchObject({
      open: true,
      port: 9090,
      operatorNamespace: 'ops',
    });
  });

  it('names the flag that is wrong', () => {
    expect(() => parseArgs(['console', '--port', '70000'])).toThrow(/--port must be a port number/);
    expect(() => parseArgs(['console', '--operator-namespace', 'Ops'])).toThrow(/--operator-namespace "Ops"/);
    expect(() => parseArgs(['console', 'extra'])).toThrow(/unexpected argument "extra"/);
    expect(HELP.console).toMatch(/--open/);
  });
});
