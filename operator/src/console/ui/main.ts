/// <reference lib="dom" />
// The console page: renders each snapshot the operator streams (server-sent events) with the pure
// view functions; the only other request is a drill preview the user asks for.
import type { ConsoleGateway, ConsoleSite, ConsoleSnapshot } from '../snapshot.js';
import {
  ago,
  filterGateways,
  GATEWAY_STATE_FILTERS,
  groupSites,
  pageSlice,
  searchKey,
  searchTimeline,
  type GatewayStateFilter,
} from '../view.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let snapshot: ConsoleSnapshot | undefined;
let keys: string[] = [];
// The page of the gateway list shown; back to the first when the search or filter changes.
let page = 0;

const esc = (s: string | number | null | undefined): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const healthClass = (h: string): string =>
  h === 'Healthy' ? 'ok' : h === 'Unreachable' ? 'bad' : h === 'Unknown' ? 'muted' : 'warn';

function renderSites(s: ConsoleSnapshot, now: number): string {
  if (s.sites.length === 0) return '<p>No EdgeSite or CloudCluster is registered.</p>';
  const row = (m: ConsoleSite) => `<tr data-site="${esc(m.name)}">
    <th scope="row">${esc(m.name)}</th><td>${m.kind === 'EdgeSite' ? 'edge' : 'cloud'}</td>
    <td class="${healthClass(m.health)}" data-health>${esc(m.health)}${m.cordoned ? ' (cordoned)' : ''}</td>
    <td>${esc(m.reason ?? '')}</td>
    <td>${m.lastProbeTime ? `<time datetime="${esc(m.lastProbeTime)}">${esc(ago(m.lastProbeTime, now))}</time>` : 'never'}${m.lastProbeLatencyMilliseconds !== null ? ` · ${esc(m.lastProbeLatencyMilliseconds)} ms` : ''}</td>
    <td>${esc(m.placements)}</td>
    <td>${m.capacity ? `${esc(m.capacity.used)} / ${esc(m.capacity.total)} (${esc(m.capacity.free)} free)` : '<span class="muted">not limited</span>'}</td>
  </tr>`;
  return groupSites(s.sites)
    .map(
      (r) =>
        `<h3>Region ${esc(r.region)}</h3>` +
        r.zones
          .map(
            (
              z,
            ) => `<h4>Zone ${esc(z.zone)}</h4><div class="hscroll"><table class="sites"><thead><tr><th scope="col">Member</th><th scope="col">Kind</th>
            <th scope="col">Health</th><th scope="col">Reason</th><th scope="col">Last probe</th>
            <th scope="col">Placements</th><th scope="col">Capacity used / total (auth/s)</th></tr></thead>
            <tbody>${z.sites.map(row).join('')}</tbody></table></div>`,
          )
          .join(''),
    )
    .join('');
}

function renderGateways(s: ConsoleSnapshot): void {
  const text = $<HTMLInputElement>('search').value;
  const stateValue = $<HTMLSelectElement>('state').value as GatewayStateFilter;
  const state = GATEWAY_STATE_FILTERS.includes(stateValue) ? stateValue : 'all';
  const matching = filterGateways(s.gateways, { text, state }, keys);
  // Only one page is rendered: 1,000 rows would take the browser hundreds of ms per push.
  const slice = pageSlice(matching.length, page);
  page = slice.page;
  const shown = matching.slice(slice.start, slice.end);
  $('gateway-count').textContent =
    slice.pages === 1
      ? `${matching.length} of ${s.gateways.length} shown`
      : `${slice.start + 1}–${slice.end} of ${matching.length} shown (${s.gateways.length} gateways)`;
  $<HTMLButtonElement>('prev').disabled = slice.page === 0;
  $<HTMLButtonElement>('next').disabled = slice.page >= slice.pages - 1;
  $('pager').hidden = slice.pages === 1;
  $('gateways-body').className = slice.pages > 1 ? 'paged' : '';
  if (shown.length === 0) {
    $('gateways-body').innerHTML = '<p>No gateway matches.</p>';
    return;
  }
  const cond = (g: ConsoleGateway) =>
    g.conditions
      .map(
        (c) =>
          `<span class="${c.status === 'True' ? (c.type === 'Ready' ? 'ok' : c.type === 'Progressing' ? 'muted' : 'warn') : c.type === 'Ready' ? 'bad' : 'muted'}">${esc(c.type)}=${esc(c.status)}</span> <span class="muted">${esc(c.reason)}</span>`,
      )
      .join(' · ');
  const row = (g: ConsoleGateway) => `<tr data-gateway="${esc(`${g.namespace}/${g.name}`)}">
    <th scope="row">${esc(g.namespace)}/${esc(g.name)}</th>
    <td class="${g.ready ? 'ok' : 'bad'}" data-ready>${g.ready ? 'Ready' : 'not Ready'}</td>
    <td data-serving>${esc(g.serving.join(', ') || '—')}</td>
    <td>${esc(g.standby.join(', ') || '—')}</td>
    <td data-epoch>${esc(g.epoch)}</td>
    <td>${cond(g)}</td></tr>`;
  $('gateways-body').innerHTML =
    `<div class="scroll"><table class="gateways"><thead><tr><th scope="col">Gateway</th>
    <th scope="col">Ready</th><th scope="col">Serving (route order)</th><th scope="col">Standby</th>
    <th scope="col">Epoch</th><th scope="col">Conditions</th></tr></thead><tbody>${shown.map(row).join('')}</tbody></table></div>`;
}

function renderTimeline(s: ConsoleSnapshot): string {
  if (s.timeline.length === 0)
    return '<p>No failover in progress, standing or seen since the operator started: every placement is on its chosen site.</p>';
  const { shown, matching } = searchTimeline(s.timeline, $<HTMLInputElement>('search').value);
  const count = `<p class="muted">${shown.length} of ${matching} shown, newest first${matching < s.timeline.length ? ` (the search matches ${matching} of ${s.timeline.length})` : ''}.</p>`;
  return (
    count +
    shown
      .map(
        (e) => `<article data-failover="${esc(e.gateway)}|${esc(e.from)}" data-live="${e.live}">
      <h3>${esc(e.gateway)}: ${esc(e.from)} → ${esc(e.to ?? 'no stand-in')}${e.totalSeconds !== null ? ` <span class="muted">(${esc(e.totalSeconds)} s to serving)</span>` : ''}${e.live ? '' : ' <span class="muted">· over</span>'}</h3>
      <ol class="steps">${e.steps
        .map(
          (st) =>
            `<li data-step="${st.step}">${esc(st.label)}: ${st.at ? `<time datetime="${esc(st.at)}">${esc(new Date(st.at).toISOString().replace('T', ' ').replace('.000Z', 'Z'))}</time>` : `<span class="muted">${esc(st.note ?? 'not recorded')}</span>`}</li>`,
        )
        .join('')}</ol></article>`,
      )
      .join('')
  );
}

function renderDrillSites(s: ConsoleSnapshot): void {
  const select = $<HTMLSelectElement>('drill-site');
  const want = s.sites.map((m) => `${m.kind}/${m.name}`);
  const have = Array.from(select.options, (o) => o.value);
  if (want.join('\n') === have.join('\n')) return; // keep the user's choice and focus
  const chosen = select.value;
  select.innerHTML = s.sites
    .map(
      (m) =>
        `<option value="${esc(`${m.kind}/${m.name}`)}">${esc(m.name)} (${m.kind === 'EdgeSite' ? 'edge' : 'cloud'})</option>`,
    )
    .join('');
  if (want.includes(chosen)) select.value = chosen;
}

function render(): void {
  if (!snapshot) return;
  const now = Date.now();
  $('sites-body').innerHTML = renderSites(snapshot, now);
  renderGateways(snapshot);
  $('timeline-body').innerHTML = renderTimeline(snapshot);
  renderDrillSites(snapshot);
  // Shown whole with the first snapshot, so nothing moves under the reader when data arrives.
  $('main').hidden = false;
}

function connect(): void {
  const source = new EventSource('/api/v1/console/stream');
  source.addEventListener('snapshot', (ev) => {
    snapshot = JSON.parse((ev as MessageEvent<string>).data) as ConsoleSnapshot;
    keys = snapshot.gateways.map(searchKey);
    render();
    // The live region changes only with the connection, so screen readers are not told every push.
    if ($('status').textContent !== 'Live') $('status').textContent = 'Live';
    $('updated').textContent = `updated ${new Date(snapshot.generatedAt).toLocaleTimeString()}`;
  });
  // EventSource reconnects by itself (the server sends retry: 2000); say so meanwhile.
  source.addEventListener('error', () => {
    $('status').textContent = 'Connection lost; reconnecting…';
  });
}

$('gateway-filter').addEventListener('submit', (e) => e.preventDefault());
const refilter = (): void => {
  page = 0;
  if (!snapshot) return;
  renderGateways(snapshot);
  $('timeline-body').innerHTML = renderTimeline(snapshot);
};
$('search').addEventListener('input', refilter);
$('state').addEventListener('change', refilter);
const turn = (by: number) => (): void => {
  page += by;
  if (snapshot) renderGateways(snapshot);
};
$('prev').addEventListener('click', turn(-1));
$('next').addEventListener('click', turn(1));
$('drill-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const [kind, name] = $<HTMLSelectElement>('drill-site').value.split('/');
  if (!name || !kind) return;
  const out = $('drill-out');
  out.textContent = 'Asking the operator…';
  fetch(`/api/v1/console/drill?site=${encodeURIComponent(name)}&kind=${encodeURIComponent(kind)}`)
    .then(async (r) => {
      const body = (await r.json()) as { text?: string; message?: string };
      out.textContent = body.text ?? body.message ?? `HTTP ${r.status}`;
    })
    .catch((err: unknown) => {
      out.textContent = `The operator did not answer: ${String(err)}`;
    });
});
connect();
// Relative times ("12 s ago") age between pushes; refresh them without a request.
setInterval(render, 10_000);
