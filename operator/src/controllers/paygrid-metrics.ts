// paygrid's own metrics, beside controller-runtime's in the same registry.
// Labels carry resource names only — never anything from a Secret.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class PaygridMetrics {
  readonly memberProbeDuration: Histogram<'member' | 'result'>;
  readonly detectionDuration: Histogram<'member'>;
  readonly failoversTotal: Counter<'gateway' | 'from' | 'to' | 'reason'>;
  readonly failoverDuration: Histogram<'gateway'>;
  readonly placements: Gauge<'state'>;
  readonly memberApplyTotal: Counter<'member' | 'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.memberProbeDuration = new Histogram({
      name: 'paygrid_member_probe_duration_seconds',
      help: 'Latency of member /readyz probes',
      labelNames: ['member', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.detectionDuration = new Histogram({
      name: 'paygrid_detection_duration_seconds',
      help: 'Time from the first failed probe of a member to it being declared Unreachable',
      labelNames: ['member'],
      buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 60],
      registers,
    });
    this.failoversTotal = new Counter({
      name: 'paygrid_failovers_total',
      help: 'Authorization failovers, by gateway, lost member, replacement and reason',
      labelNames: ['gateway', 'from', 'to', 'reason'],
      registers,
    });
    this.failoverDuration = new Histogram({
      name: 'paygrid_failover_duration_seconds',
      help: 'Time from site loss detected to the replacement serving',
      labelNames: ['gateway'],
      buckets: [0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 60, 120],
      registers,
    });
    this.placements = new Gauge({
      name: 'paygrid_placements',
      help: 'Placements across all gateways, by state',
      labelNames: ['state'],
      registers,
    });
    this.memberApplyTotal = new Counter({
      name: 'paygrid_member_apply_total',
      help: 'Server-side applies and deletes sent to members, by result',
      labelNames: ['member', 'result'],
      registers,
    });
  }
}
