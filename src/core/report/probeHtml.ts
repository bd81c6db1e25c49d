// The probe report as an HTML fragment for the editor's report webview: the verdict first, then where the
// time went (an SVG waterfall, httpstat's picture), which hop answered (the hop chain as a picture), and
// the details (TLS, DNS, samples, redirects, config, error log, keep-alive). Pure: no vscode, no I/O.
// Every value from the report is escaped here; the page's CSP allows no inline style or script, so the
// pictures use SVG attributes for geometry and CSS classes (media/probe-report.css) for colour.
import { CAUSE_TITLES } from '../finding';
import type { ComparisonSide, ErrorLogLine, KeepAliveInfo, Phases, PhasePercentiles, ProbeReport, Sample } from '../probe/types';
import type { RoutePlace } from '../configs/nginx/urlRoute';

/** The report as the editor holds it (kept as a name for the editor's modules). */
export type ProbeReportView = ProbeReport;

export interface ProbeHtmlInput {
  report: ProbeReportView;
  /** When the probe finished (shown as given). */
  finishedAt?: string;
  /** The config mapping's own lines (upstream probed directly, buffers compared). */
  configLines?: string[];
  /** Where the workspace config serves the URL; `display` is the path to show. Links send `openConfig` with the index. */
  route?: Array<RoutePlace & { display: string }>;
  /** Error logs read during the probe (files) and the lines they got, when the report does not carry them. */
  errorLog?: { files: string[]; lines: ErrorLogLine[] };
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const esc = escapeHtml;

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
}

const EDGE_PRODUCTS = new Set(['cloudflare', 'cloudfront', 'aws-alb', 'gfe', 'fastly', 'akamai', 'azure-front-door', 'heroku', 'vercel', 'netlify']);
const PROXY_PRODUCTS = new Set(['nginx', 'haproxy', 'apache', 'caddy', 'envoy', 'traefik']);

/** The sample the report's phases and status describe: the first failing one, else the first. */
export function shownSample(r: ProbeReport): Sample | undefined {
  return r.samples.find((s) => s.error || (s.status ?? 0) >= 500) ?? r.samples[0];
}

/** Percentiles mean something with more than one sample that got a response (failed ones are left out). */
export function hasPercentiles(r: ProbeReport): boolean {
  return r.samples.filter((s) => !s.error).length > 1;
}

type PhaseKey = 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer' | 'total';

/** Which waterfall row a failure belongs to. A timeout belongs to the phase that was running. */
export function failedPhase(s: Sample | undefined): PhaseKey | undefined {
  const e = s?.error;
  if (!e || e.phase === 'cancelled') return undefined;
  if (e.phase === 'dns' || e.phase === 'connect' || e.phase === 'tls') return e.phase;
  if (e.phase === 'http') return 'ttfb';
  const p = s!.phases;
  if (p.ttfbMs > 0 || s!.http) return 'ttfb';
  if (p.tlsMs > 0) return 'tls';
  if (p.connectMs > 0 && !s!.connects.some((c) => c.ok)) return 'connect';
  if (s!.connects.some((c) => c.ok)) return 'ttfb';
  return p.dnsMs > 0 ? 'dns' : undefined;
}

export function probeHtml(input: ProbeHtmlInput): string {
  const r = input.report;
  const s = shownSample(r);
  const parts = [
    header(input, s),
    verdictSection(r),
    edgeSection(r),
    waterfallSection(r, s),
    hopSection(input, s),
    configSection(input),
    dnsSection(s),
    tlsSection(r, s),
    samplesSection(r),
    redirectsSection(s),
    errorLogSection(input),
    keepAliveSection(r),
  ];
  return parts.filter(Boolean).join('\n');
}

function header(input: ProbeHtmlInput, s: Sample | undefined): string {
  const r = input.report;
  const outcome = r.status !== null ? String(r.status) : s?.error ? s.error.code : 'no response';
  const cls = r.verdict.cause === 'none' ? 'sev-ok' : 'sev-error';
  return `<header class="probe-header">
<h1 class="probe-url"><span class="badge probe-status ${cls}">${esc(outcome)}</span> ${esc(r.url)}</h1>
<p class="muted">${r.samples.length} sample${r.samples.length === 1 ? '' : 's'}${input.finishedAt ? ` · probed ${esc(input.finishedAt)}` : ''}${
    r.proxy && !r.proxy.bypassed ? ` · through proxy ${esc(r.proxy.url)} (${r.proxy.source === 'env' ? 'from the environment' : 'from settings'})` : ''
  }</p>
<div class="toolbar">
<button data-command="again" title="Send the same probe again">Probe Again</button>
<button class="secondary" data-command="copyCurl" title="Copy the same request as a curl command (secrets replaced)">Copy as curl</button>
<button class="secondary" data-command="showText" title="The same report as text in the output panel">Show as Text</button>
</div>
</header>`;
}

function verdictSection(r: ProbeReport): string {
  const v = r.verdict;
  const healthy = v.cause === 'none';
  return `<section class="verdict ${healthy ? 'verdict-ok' : 'verdict-problem'}" id="verdict">
<h2>Verdict</h2>
<p class="verdict-title"><strong>${esc(CAUSE_TITLES[v.cause] ?? v.cause)}</strong> <code>${esc(v.cause)}</code> <span class="badge confidence-${esc(v.confidence)}">${esc(v.confidence)} confidence</span></p>
<p class="verdict-summary">${esc(v.summary)}</p>
${v.evidence.length ? `<h3>Evidence</h3>\n<ul class="evidence">${v.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}
${v.nextSteps.length ? `<h3>Next steps</h3>\n<ol class="next-steps">${v.nextSteps.map((n) => `<li>${esc(n)}</li>`).join('')}</ol>` : ''}
</section>`;
}

// -- Edge vs origin ------------------------------------------------------------------------------------

const OUTCOME_TITLES: Record<NonNullable<ProbeReport['edgeComparison']>['outcome'], string> = {
  'edge-fails': 'The edge fails, the origin answers',
  'both-fail': 'Edge and origin both fail',
  'origin-fails': 'The edge answers, the origin address fails',
  'both-ok': 'Edge and origin both answer',
  'edge-unresolved': 'The name does not resolve: no edge to compare',
};

function sideFailed(x: ComparisonSide): boolean {
  return x.errorRate > 0;
}

function edgeSection(r: ProbeReport): string {
  const c = r.edgeComparison;
  if (!c) return '';
  const cell = (x: ComparisonSide, v: string, bad = false) => `<td class="${bad ? 'side-failed sev-error' : sideFailed(x) ? 'side-failed' : 'side-ok'}">${v}</td>`;
  const row = (label: string, f: (x: ComparisonSide) => [string, boolean?]) => {
    const [e, eb] = f(c.edge);
    const [o, ob] = f(c.origin);
    return `<tr><th>${esc(label)}</th>${cell(c.edge, e, eb)}${cell(c.origin, o, ob)}</tr>`;
  };
  const rows = [
    row('Address', (x) => [x.addresses.length ? x.addresses.map((a) => `<code>${esc(a)}</code>`).join('<br>') : '<span class="empty">none</span>']),
    row('Status', (x) => [x.status === null ? 'no response' : esc(x.status), x.status === null || x.status >= 500]),
    row('Who answered', (x) => [esc(x.generatedBy)]),
    row('p50 total', (x) => [esc(fmtMs(x.totalMsP50))]),
    row('Failed samples', (x) => [esc(`${Math.round(x.errorRate * 100)}% of ${x.samples}`), x.errorRate > 0]),
    row('Error', (x) => [x.error ? esc(x.error) : '<span class="muted">—</span>', !!x.error]),
  ].join('');
  return `<section class="edge-compare outcome-${esc(c.outcome)}" id="edge-vs-origin">
<h2>Edge vs origin</h2>
<p class="edge-outcome"><strong>${esc(OUTCOME_TITLES[c.outcome])}</strong> <code>${esc(c.outcome)}</code></p>
<table class="edge-compare-table"><thead><tr><th></th><th>Edge <span class="muted">(the name over DNS)</span></th><th>Origin <span class="muted">(the address given, name kept for SNI and Host)</span></th></tr></thead><tbody>${rows}</tbody></table>
<p class="edge-conclusion">${esc(c.conclusion)}</p>
</section>`;
}

// -- The waterfall -------------------------------------------------------------------------------------

interface Row {
  key: PhaseKey;
  label: string;
  start: number;
  ms: number;
  pct?: PhasePercentiles;
  note?: string;
}

function niceStep(total: number): number {
  const raw = total / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function waterfallRows(r: ProbeReport, s: Sample | undefined): Row[] {
  const p: Phases = r.phases;
  const q = r.percentiles;
  const multi = hasPercentiles(r);
  const https = r.url.startsWith('https:');
  const answered = !!s?.http;
  const transfer = answered ? Math.max(0, p.totalMs - p.dnsMs - p.connectMs - p.tlsMs - p.ttfbMs) : 0;
  let t = 0;
  const next = (ms: number) => {
    const start = t;
    t += ms;
    return start;
  };
  const rows: Row[] = [
    { key: 'dns', label: 'DNS lookup', start: next(p.dnsMs), ms: p.dnsMs, pct: multi ? q.dnsMs : undefined, note: s?.dns?.source === 'resolve' ? 'skipped: --resolve' : s?.dns?.source === 'literal' ? 'IP address in the URL' : undefined },
    { key: 'connect', label: 'TCP connect', start: next(p.connectMs), ms: p.connectMs, pct: multi ? q.connectMs : undefined },
    { key: 'tls', label: 'TLS handshake', start: next(p.tlsMs), ms: p.tlsMs, pct: multi && https ? q.tlsMs : undefined, note: https ? undefined : 'not used (http)' },
    { key: 'ttfb', label: 'Server processing (TTFB)', start: next(p.ttfbMs), ms: p.ttfbMs, pct: multi ? q.ttfbMs : undefined },
    { key: 'transfer', label: 'Content transfer', start: next(transfer), ms: transfer, note: answered ? undefined : 'no response' },
    { key: 'total', label: 'Total', start: 0, ms: p.totalMs, pct: multi ? q.totalMs : undefined },
  ];
  return rows;
}

function waterfallSection(r: ProbeReport, s: Sample | undefined): string {
  if (!s) return `<section id="timing"><h2>Where the time went</h2><p class="empty">No sample finished (the probe was cancelled before the first request completed).</p></section>`;
  const rows = waterfallRows(r, s);
  const failed = failedPhase(s);
  const multi = rows.some((x) => x.pct);
  const labelW = 200;
  const barW = 440;
  const valueW = 150;
  const pctW = multi ? 250 : 0;
  const rowH = 26;
  const top = 24;
  const width = labelW + barW + valueW + pctW;
  const height = top + rows.length * rowH + 8;
  const total = Math.max(r.phases.totalMs, 0.001);
  const x = (ms: number) => labelW + (ms / total) * barW;
  const out: string[] = [];
  out.push(`<svg class="waterfall" role="img" aria-label="Timing waterfall" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`);
  out.push(`<title>Where the time went: ${esc(rows.map((row) => `${row.label} ${fmtMs(row.ms)}`).join(', '))}</title>`);
  // Axis with round ticks.
  const step = niceStep(total);
  for (let v = 0; v <= total + 1e-9; v += step) {
    const gx = x(v).toFixed(1);
    out.push(`<line class="grid" x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 6}"/>`);
    out.push(`<text class="tick" x="${gx}" y="${top - 8}" text-anchor="middle">${esc(fmtMs(v).replace(/\.0+ ms$/, ' ms'))}</text>`);
  }
  if (multi) out.push(`<text class="pct-head" x="${labelW + barW + valueW}" y="${top - 8}">p50 · p95 · p99 over the samples</text>`);
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const isFailed = row.key === failed;
    const cls = `phase phase-${row.key}${isFailed ? ' failed' : ''}`;
    out.push(`<g class="${cls}">`);
    out.push(`<text class="phase-label" x="0" y="${y + 17}">${isFailed ? '✕ ' : ''}${esc(row.label)}</text>`);
    const bx = x(row.start);
    const bw = row.ms > 0 ? Math.max(2, (row.ms / total) * barW) : 0;
    if (bw > 0) out.push(`<rect class="bar" x="${bx.toFixed(1)}" y="${y + 5}" width="${bw.toFixed(1)}" height="${rowH - 10}" rx="2"><title>${esc(`${row.label}: ${fmtMs(row.ms)} (from ${fmtMs(row.start)})`)}</title></rect>`);
    const label = isFailed && s.error ? `${row.ms > 0 ? fmtMs(row.ms) + ' · ' : ''}failed: ${s.error.code}` : row.note && row.ms === 0 ? row.note : fmtMs(row.ms);
    out.push(`<text class="value" x="${((bw > 0 ? bx + bw : bx) + 6).toFixed(1)}" y="${y + 17}">${esc(label)}</text>`);
    if (row.pct) out.push(`<text class="pct" x="${labelW + barW + valueW}" y="${y + 17}">${esc(`${fmtMs(row.pct.p50)} · ${fmtMs(row.pct.p95)} · ${fmtMs(row.pct.p99)}`)}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  const which = r.samples.length > 1 ? `<p class="muted">Bars: ${s.error || (s.status ?? 0) >= 500 ? 'the first failing sample' : 'the first sample'}${multi ? '; percentiles over the samples that got a response' : ''}.</p>` : '';
  return `<section id="timing"><h2>Where the time went</h2>\n${out.join('\n')}\n${which}</section>`;
}

// -- The hop chain -------------------------------------------------------------------------------------

interface HopNode {
  role: string;
  name: string;
  /** The hop that generated the response, or the one that never answered. */
  state?: 'generated' | 'failed' | 'unknown';
  tip: string;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function hopChain(input: ProbeHtmlInput, s: Sample | undefined): HopNode[] {
  const r = input.report;
  const by = r.hop.generatedBy;
  const host = hostOf(r.url);
  const pass = input.route?.find((p) => p.kind === 'proxy_pass');
  const upstream = input.route?.find((p) => p.kind === 'upstream');
  const nodes: HopNode[] = [{ role: 'Client', name: 'this machine', tip: 'Gateway Doctor, probing from the editor' }];
  if (r.proxy && !r.proxy.bypassed) nodes.push({ role: 'Forward proxy', name: hostOf(r.proxy.url), tip: `${r.proxy.url} (${r.proxy.source === 'env' ? 'environment' : 'settings'})` });
  if (by === 'no-response') {
    const code = s?.error?.code ?? 'no response';
    nodes.push({ role: input.route ? 'Proxy (workspace config)' : 'Server', name: host, state: 'failed', tip: `no HTTP response: ${s?.error?.message ?? code}` });
    return nodes;
  }
  if (EDGE_PRODUCTS.has(by)) {
    nodes.push({ role: 'Edge / CDN', name: by, state: 'generated', tip: `${host}: ${by} generated the response` });
    nodes.push({ role: 'Origin', name: 'behind the edge', state: 'unknown', tip: 'not reached by this response' });
    return nodes;
  }
  const hasProxy = PROXY_PRODUCTS.has(by) || !!input.route;
  if (hasProxy) {
    nodes.push({
      role: input.route ? 'Proxy (workspace config)' : 'Proxy',
      name: PROXY_PRODUCTS.has(by) ? `${by} · ${host}` : host,
      state: PROXY_PRODUCTS.has(by) ? 'generated' : undefined,
      tip: PROXY_PRODUCTS.has(by) ? `${by} at ${host} generated the response` : `${host} passed the response through`,
    });
    const target = upstream ? upstream.text.replace(/^upstream\s+/, 'upstream ') : pass ? pass.text.replace(/^proxy_pass\s+/, '') : 'behind the proxy';
    nodes.push({ role: 'Upstream', name: target, state: by === 'origin' ? 'generated' : pass ? undefined : 'unknown', tip: by === 'origin' ? 'the response came from behind the proxy' : pass ? `${pass.text} (${pass.display}:${pass.line + 1})` : 'not known from the response' });
    return nodes;
  }
  nodes.push({ role: 'Origin', name: host, state: 'generated', tip: `${host} generated the response (no proxy fingerprint seen)` });
  return nodes;
}

function trunc(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function hopSection(input: ProbeHtmlInput, s: Sample | undefined): string {
  const nodes = hopChain(input, s);
  const boxW = 170;
  const boxH = 56;
  const gap = 46;
  const width = nodes.length * boxW + (nodes.length - 1) * gap + 2;
  const height = boxH + 30;
  const out: string[] = [];
  out.push(`<svg class="hop-chain" role="img" aria-label="Hop chain" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`);
  out.push(`<title>${esc(nodes.map((n) => `${n.role}: ${n.name}`).join(' → '))}</title>`);
  nodes.forEach((n, i) => {
    const x = 1 + i * (boxW + gap);
    if (i > 0) {
      const failedLink = n.state === 'failed';
      out.push(`<line class="link${failedLink ? ' failed' : ''}" x1="${x - gap + 4}" y1="${1 + boxH / 2}" x2="${x - 6}" y2="${1 + boxH / 2}"/>`);
      out.push(`<polygon class="arrow${failedLink ? ' failed' : ''}" points="${x - 2},${1 + boxH / 2} ${x - 10},${boxH / 2 - 4} ${x - 10},${boxH / 2 + 6}"/>`);
      if (failedLink) out.push(`<text class="link-label failed" x="${x - gap / 2}" y="${boxH / 2 - 6}" text-anchor="middle">✕</text>`);
    }
    out.push(`<g class="hop${n.state ? ` ${n.state}` : ''}">`);
    out.push(`<rect x="${x}" y="1" width="${boxW}" height="${boxH}" rx="4"><title>${esc(n.tip)}</title></rect>`);
    out.push(`<text class="hop-role" x="${x + 10}" y="21">${esc(n.role)}</text>`);
    out.push(`<text class="hop-name" x="${x + 10}" y="41">${esc(trunc(n.name, 24))}</text>`);
    if (n.state === 'generated' || n.state === 'failed') out.push(`<text class="hop-flag" x="${x + boxW / 2}" y="${boxH + 20}" text-anchor="middle">${n.state === 'generated' ? 'generated the response' : 'did not answer'}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  const r = input.report;
  const ev = r.hop.evidence.length ? `<ul class="hop-evidence">${r.hop.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : '';
  return `<section id="hops"><h2>Which hop answered</h2>\n${out.join('\n')}\n<p>Generated by <strong>${esc(r.hop.generatedBy)}</strong>.</p>${ev}</section>`;
}

// -- Details -------------------------------------------------------------------------------------------

function configSection(input: ProbeHtmlInput): string {
  const route = input.route ?? [];
  const lines = input.configLines ?? [];
  if (!route.length && !lines.length) return `<section id="config"><h2>Workspace config</h2><p class="empty">No nginx config in this workspace serves this URL's port.</p></section>`;
  const places = route.length
    ? `<table class="route"><tbody>${route
        .map((p, i) => `<tr><th>${esc(p.kind.replace('_', ' '))}</th><td><code>${esc(p.text)}</code></td><td><a href="#" data-command="openConfig" data-arg="${i}">${esc(`${p.display}:${p.line + 1}`)}</a></td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const more = lines.length ? `<ul class="config-lines">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '';
  return `<section id="config"><h2>Workspace config</h2>\n${places}${more}</section>`;
}

function dnsSection(s: Sample | undefined): string {
  if (!s?.dns && !s?.connects.length) return '';
  const d = s.dns;
  const rows: string[] = [];
  if (d) {
    const src = d.source === 'resolve' ? ' (given with --resolve)' : d.source === 'literal' ? ' (IP address in the URL)' : '';
    rows.push(`<tr><th>Name</th><td>${esc(d.host)}${esc(src)}</td></tr>`);
    if (d.cnames.length) rows.push(`<tr><th>CNAME chain</th><td>${esc(d.cnames.join(' → '))}</td></tr>`);
    rows.push(`<tr><th>Addresses</th><td>${d.addresses.length ? d.addresses.map((a) => `<code>${esc(a.address)}</code> <span class="muted">IPv${esc(a.family)}</span>`).join('<br>') : '<span class="empty">none</span>'}</td></tr>`);
    if (d.error) rows.push(`<tr><th>Error</th><td class="sev-error">${esc(d.error)}</td></tr>`);
  }
  for (const c of s.connects) rows.push(`<tr><th>TCP ${esc(c.address)}:${esc(c.port)}</th><td class="${c.ok ? 'sev-ok' : 'sev-error'}">${c.ok ? 'connected' : `failed: ${esc(c.error ?? 'error')}`} in ${esc(fmtMs(c.ms))}</td></tr>`);
  return `<section id="dns"><h2>DNS and TCP</h2><table><tbody>${rows.join('')}</tbody></table></section>`;
}

function tlsSection(r: ProbeReport, s: Sample | undefined): string {
  const t = s?.tls ?? r.samples.find((x) => x.tls)?.tls;
  if (!t) return r.url.startsWith('https:') ? `<section id="tls"><h2>TLS</h2><p class="empty">No TLS handshake was reached.</p></section>` : '';
  const row = (k: string, v: string, cls = '') => `<tr><th>${esc(k)}</th><td${cls ? ` class="${cls}"` : ''}>${v}</td></tr>`;
  const rows: string[] = [];
  rows.push(row('SNI sent', t.servername ? `<code>${esc(t.servername)}</code>` : 'none'));
  if (t.version) rows.push(row('Version', `${esc(t.version)}${t.cipher ? ` · ${esc(t.cipher)}` : ''}`));
  if (t.version) rows.push(row('ALPN', t.alpn ? esc(t.alpn) : 'none'));
  if (t.chain.length) rows.push(row('Chain', t.chain.map((c) => esc(c)).join('<br>')));
  if (t.validTo) rows.push(row('Valid', `${esc(t.validFrom ?? '?')} → ${esc(t.validTo)}${t.daysLeft !== undefined ? ` (${esc(t.daysLeft)} days left)` : ''}`, t.daysLeft !== undefined && t.daysLeft < 14 ? 'sev-warning' : ''));
  if (t.nameMatches !== undefined) rows.push(row('Name', t.nameMatches ? 'matches the certificate' : 'does not match the certificate', t.nameMatches ? 'sev-ok' : 'sev-error'));
  for (const p of t.problems) rows.push(row('Problem', esc(p), 'sev-error'));
  if (t.error) rows.push(row('Error', esc(t.error), 'sev-error'));
  const sc = t.sniComparison;
  if (sc && sc.servername) rows.push(row(`With SNI ${sc.servername}`, sc.ok ? 'the handshake succeeds: the server needs SNI to pick its certificate' : `fails too${sc.error ? ` (${esc(sc.error)})` : ''}`, sc.ok ? 'sev-ok' : ''));
  else if (sc) rows.push(row('Without SNI', sc.ok ? 'the handshake succeeds: the server needs no SNI, or a different name' : `fails too${sc.error ? ` (${esc(sc.error)})` : ''}`));
  return `<section id="tls"><h2>TLS</h2><table><tbody>${rows.join('')}</tbody></table></section>`;
}

function samplesSection(r: ProbeReport): string {
  if (!r.samples.length) return '';
  const q = r.percentiles;
  const rows = r.samples
    .map((s, i) => {
      const bad = !!s.error || (s.status ?? 0) >= 500;
      const outcome = s.error ? s.error.code : String(s.status ?? '—');
      return `<tr class="${bad ? 'sample-failed' : 'sample-ok'}"><td class="num">${i + 1}</td><td class="${bad ? 'sev-error' : 'sev-ok'}">${esc(outcome)}</td><td class="num">${esc(fmtMs(s.phases.totalMs))}</td><td>${s.error ? esc(`${s.error.phase}: ${s.error.message}`) : ''}</td></tr>`;
    })
    .join('');
  const outcomes = Object.entries(q.statuses)
    .map(([k, n]) => `${k} × ${n}`)
    .join(', ');
  return `<section id="samples"><h2>Samples</h2>
<p>${q.count} sample${q.count === 1 ? '' : 's'}, error rate ${esc((q.errorRate * 100).toFixed(0))}%${q.intermittent ? ' — <strong>intermittent</strong>: some samples failed, others did not' : ''}. Outcomes: ${esc(outcomes)}.</p>
<table class="samples"><thead><tr><th class="num">#</th><th>Status</th><th class="num">Total</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function redirectsSection(s: Sample | undefined): string {
  const rd = s?.redirects ?? [];
  if (!rd.length) return '';
  const rows = rd.map((x) => `<tr><td>${esc(x.status)}</td><td>${esc(x.from)}</td><td>→ ${esc(x.location)}</td><td>${x.followed ? 'followed' : 'not followed'}${x.note ? ` (${esc(x.note)})` : ''}</td></tr>`).join('');
  return `<section id="redirects"><h2>Redirects</h2><table><tbody>${rows}</tbody></table></section>`;
}

function errorLogSection(input: ProbeHtmlInput): string {
  const lines = input.report.errorLog ?? input.errorLog?.lines;
  const files = input.errorLog?.files ?? [...new Set((lines ?? []).map((l) => l.file))];
  if (!lines || !files.length) return '';
  const body = lines.length
    ? `<ul class="log-lines">${lines
        .map((l) => `<li>${l.cause ? `<span class="badge">${esc(l.cause)}</span> ` : ''}<code>${esc(l.line)}</code>${l.message ? `<br><span class="muted">${esc(l.message)}</span>` : ''}</li>`)
        .join('')}</ul>`
    : `<p class="empty">No lines were written to ${esc(files.join(', '))} during the probe.</p>`;
  return `<section id="error-log"><h2>Error log during the probe</h2>${lines.length ? `<p class="muted">${esc(files.join(', '))}</p>` : ''}${body}</section>`;
}

function keepAliveLine(label: string, k: KeepAliveInfo): string {
  const what = k.error
    ? `<span class="sev-error">could not be measured: ${esc(k.error)}</span>`
    : k.idleTimeoutMs !== undefined
      ? `closes an idle connection after <strong>${esc(fmtMs(k.idleTimeoutMs))}</strong>`
      : k.openAfterMs !== undefined
        ? `kept the idle connection open for the whole ${esc(fmtMs(k.openAfterMs))} measured`
        : 'no result';
  const note = k.note ? ` <span class="muted">(${esc(k.note)})</span>` : '';
  return `<tr><th>${esc(label)}</th><td><code>${esc(k.target)}</code></td><td>${what}${note}</td></tr>`;
}

function keepAliveSection(r: ProbeReportView): string {
  if (!r.keepAlive && !r.upstreamKeepAlive) return '';
  const rows = [r.keepAlive ? keepAliveLine('This server', r.keepAlive) : '', r.upstreamKeepAlive ? keepAliveLine('Its upstream', r.upstreamKeepAlive) : ''].join('');
  return `<section id="keepalive"><h2>Idle keep-alive</h2><table><tbody>${rows}</tbody></table></section>`;
}
