import { ConfigError, FLAGS, parseBindAddress, parseConfig, parseGoDuration, usage } from './config.js';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('has kubebuilder-like defaults', () => {
    expect(parseConfig([], {})).toEqual({
      help: false,
      leaderElect: false,
      leaderElectionId: 'paygrid-operator-leader',
      leaderElectionNamespace: 'paygrid-system',
      metricsBindAddress: { host: undefined, port: 8080, raw: ':8080' },
      healthProbeBindAddress: { host: undefined, port: 8081, raw: ':8081' },
      routesBindAddress: { host: undefined, port: 8082, raw: ':8082' },
      webhookBindAddress: null,
      webhookCertFile: undefined,
      webhookKeyFile: undefined,
      kubeconfig: undefined,
      namespace: 'paygrid-system',
      logLevel: 'info',
      maxConcurrentReconciles: 4,
      resyncPeriodMs: 600_000,
      memberStatusHeartbeatMs: 0,
      podName: 'paygrid-operator',
    });
  });

  it('refuses a webhook address without its certificate, naming the flags to set', () => {
    expect(() => parseConfig(['--webhook-bind-address=:9443'], {})).toThrow(
      /--webhook-bind-address ":9443" needs --webhook-cert-file and --webhook-key-file/,
    );
    expect(
      parseConfig(
        ['--webhook-bind-address=:9443', '--webhook-cert-file=/c.pem', '--webhook-key-file=/k.pem'],
        {},
      ),
    ).toMatchObject({
      webhookBindAddress: { port: 9443 },
      webhookCertFile: '/c.pem',
      webhookKeyFile: '/k.pem',
    });
  });

  it('reads environment variables, and flags win over them', () => {
    const env = {
      PAYGRID_LEADER_ELECT: 'true',
      POD_NAMESPACE: 'payments',
      KUBECONFIG: '/etc/hub.kubeconfig',
      PAYGRID_LOG_LEVEL: 'debug',
      POD_NAME: 'paygrid-operator-7d9f-abcde',
    };
    const fromEnv = parseConfig([], env);
    expect(fromEnv).toMatchObject({
      leaderElect: true,
      namespace: 'payments',
      leaderElectionNamespace: 'payments',
      kubeconfig: '/etc/hub.kubeconfig',
      logLevel: 'debug',
      podName: 'paygrid-operator-7d9f-abcde',
    });
    const flags = parseConfig(
      ['--leader-elect=false', '--namespace', 'ops', '--kubeconfig=/tmp/kc', '--log-level', 'warn'],
      env,
    );
    expect(flags).toMatchObject({
      leaderElect: false,
      namespace: 'ops',
      kubeconfig: '/tmp/kc',
      logLevel: 'warn',
    });
  });

  it('accepts Go flag spellings for booleans and single dashes', () => {
    expect(parseConfig(['--leader-elect'], {}).leaderElect).toBe(true);
    expect(parseConfig(['-leader-elect'], {}).leaderElect).toBe(true);
    expect(parseConfig(['--leader-elect=1'], {}).leaderElect).toBe(true);
    expect(parseConfig(['--no-leader-elect'], { PAYGRID_LEADER_ELECT: 'true' }).leaderElect).toBe(false);
    expect(parseConfig(['-metrics-bind-address=:9443'], {}).metricsBindAddress?.port).toBe(9443);
  });

  it('parses bind addresses and "0" to disable', () => {
    const c = parseConfig(
      ['--metrics-bind-address', '0', '--health-probe-bind-address', '127.0.0.1:9000'],
      {},
    );
    expect(c.metricsBindAddress).toBeNull();
    expect(c.healthProbeBindAddress).toEqual({ host: '127.0.0.1', port: 9000, raw: '127.0.0.1:9000' });
    expect(parseBindAddress('[::1]:8443')).toEqual({ host: '[::1]', port: 8443, raw: '[::1]:8443' });
    expect(parseBindAddress('localhost:1')).toMatchObject({ host: 'localhost', port: 1 });
  });

  it.each([
    [['--metrics-bind-address', 'abc'], {}, '--metrics-bind-address "abc": expected host:port, :port or 0'],
    [['--metrics-bind-address', ':99999'], {}, '--metrics-bind-address ":99999": port must be 0-65535'],
    [
      [],
      { PAYGRID_METRICS_BIND_ADDRESS: '8080' },
      'PAYGRID_METRICS_BIND_ADDRESS "8080": expected host:port, :port or 0',
    ],
    [
      ['--health-probe-bind-address=host'],
      {},
      '--health-probe-bind-address "host": expected host:port, :port or 0',
    ],
    [['--leader-elect=yes'], {}, '--leader-elect "yes": expected true or false'],
    [[], { PAYGRID_LEADER_ELECT: 'on' }, 'PAYGRID_LEADER_ELECT "on": expected true or false'],
    [['--log-level', 'trace'], {}, '--log-level "trace": expected one of debug, info, warn, error'],
    [
      ['--max-concurrent-reconciles', '0'],
      {},
      '--max-concurrent-reconciles "0": expected a whole number from 1 to 1000',
    ],
    [['--max-concurrent-reconciles', '2.5'], {}, 'expected a whole number from 1 to 1000'],
    [['--max-concurrent-reconciles', 'four'], {}, 'expected a whole number from 1 to 1000'],
    [['--resync-period', '10'], {}, '--resync-period "10": expected a Go duration such as 30s, 10m or 1h'],
    [['--resync-period', '10 min'], {}, 'expected a Go duration such as 30s, 10m or 1h'],
    [['--resync-period', '500ms'], {}, '--resync-period "500ms": expected a duration of at least 1s'],
    [['--namespace', 'Payments_NS'], {}, '--namespace "Payments_NS": expected a namespace name'],
    [[], { POD_NAMESPACE: 'x'.repeat(64) }, 'POD_NAMESPACE'],
    [['--leader-election-id', 'Leader!'], {}, '--leader-election-id "Leader!": expected a Lease name'],
  ] as [string[], Record<string, string>, string][])(
    'rejects %j %j with a message naming the flag',
    (argv, env, msg) => {
      const err = errorOf(() => parseConfig(argv, env));
      expect(err.message).toContain(msg);
    },
  );

  it('rejects unknown flags and positional arguments, pointing at --help', () => {
    expect(errorOf(() => parseConfig(['--leader-elec'], {})).message).toMatch(/--leader-elec.*see --help/);
    expect(errorOf(() => parseConfig(['extra'], {})).message).toMatch(/extra.*see --help/);
    expect(errorOf(() => parseConfig(['--namespace'], {})).message).toMatch(/--namespace/);
    expect(errorOf(() => parseConfig(['--leader-elec'], {})).message).not.toMatch(/TypeError|ERR_/);
    expect(errorOf(() => parseConfig(['--leader-elect', 'false'], {})).message).toBe(
      '--leader-elect takes no value: write --leader-elect=false',
    );
  });

  it('rejects the metrics and probe endpoints on the same port', () => {
    const err = errorOf(() => parseConfig(['--health-probe-bind-address', ':8080'], {}));
    expect(err.message).toContain(
      '--health-probe-bind-address ":8080" uses the same port as --metrics-bind-address',
    );
    // Different hosts on the same port are fine.
    expect(() =>
      parseConfig(['--metrics-bind-address=127.0.0.1:9000', '--health-probe-bind-address=10.0.0.1:9000'], {}),
    ).not.toThrow();
  });

  it('parses resync periods in Go duration syntax', () => {
    expect(parseConfig(['--resync-period', '30s'], {}).resyncPeriodMs).toBe(30_000);
    expect(parseConfig(['--resync-period=1h'], {}).resyncPeriodMs).toBe(3_600_000);
    expect(parseConfig([], { PAYGRID_RESYNC_PERIOD: '1m30s' }).resyncPeriodMs).toBe(90_000);
    expect(parseConfig(['--member-status-heartbeat=5m'], {}).memberStatusHeartbeatMs).toBe(300_000);
    expect(() => parseConfig(['--member-status-heartbeat=5'], {})).toThrow(/member-status-heartbeat/);
    expect(() => parseConfig(['--member-status-heartbeat=10ms'], {})).toThrow(/at least 1s/);
  });

  it('--help wins over anything invalid and the text lists every flag', () => {
    const c = parseConfig(['--help'], { PAYGRID_LEADER_ELECT: 'garbage' });
    expect(c.help).toBe(true);
    expect(parseConfig(['-h'], {}).help).toBe(true);
    const text = usage();
    for (const f of FLAGS) {
      expect(text).toContain(`--${f.name}`);
      if (f.env) expect(text).toContain(f.env);
    }
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['10m', 600_000],
    ['1s500ms', 1500],
    ['.5s', 500],
    ['1000us', 1],
    ['-1m', -60_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseGoDuration(input)).toBeCloseTo(ms);
  });

  it.each(['', '10', 'm', '1d', '1h 30m', 'abc', '1.2.3s', '-'])('rejects %j', (input) => {
    expect(() => parseGoDuration(input)).toThrow(/invalid duration/);
  });
});
