// The log report's HTML body (the webview adds the page, its CSP and styles around it): totals, events
// over time as one stacked SVG chart, tables by cause and by upstream, and the first lines of each cause
// with buttons that open them. Pure: no 'vscode', every value from the log is escaped here; colours are
// CSS classes (media/logs-report.css) because the page's CSP forbids inline styles.
import { CAUSE_IDS, CAUSE_TITLES, CauseId } from '../finding';
import type { CauseCounts, LogAnalysis, LogFinding } from '../logs/analyze';

export interface LogsReportInput {
  analysis: LogAnalysis;
  /** How a file is named on the page (e.g. relative to the workspace); default: the path as given. */
  displayName?: (file: string) => string;
  /** Config findings of the workspace per cause: causes with some get a "Show config findings" button. */
  configFindings?: CauseCounts;
  /** First lines listed per cause (default 10). */
  linesPerCause?: number;
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = one + 's') => `${num(n)} ${n === 1 ? one : many}`;
const total = (c: CauseCounts): number => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);
const causesIn = (c: CauseCounts): CauseId[] => CAUSE_IDS.filter((id) => (c[id] ?? 0) > 0);

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** `file:line`, the argument of the page's openLine button (the line number after the last colon). */
export function lineArg(file: string, line: number): string {
  return `${file}:${line}`;
}

export function parseLineArg(arg: string): { file: string; line: number } | undefined {
  const i = arg.lastIndexOf(':');
  const line = Number(arg.slice(i + 1));
  if (i <= 0 || !Number.isInteger(line) || line < 1) return undefined;
  return { file: arg.slice(0, i), line };
}

export function logsReportHtml(input: LogsReportInput): string {
  const a = input.analysis;
  const name = input.displayName ?? ((f: string) => f);
  const lines = a.files.reduce((s, f) => s + f.lines, 0);
  const title = a.files.length === 1 ? name(a.files[0].file) : plural(a.files.length, 'file');
  let html = `<h1>Log report: ${esc(title)}</h1>\n`;
  html += `<p class="muted">${plural(a.events, 'failure event')} in ${plural(lines, 'line')} of ${plural(a.files.length, 'file')}.</p>\n`;
  if (a.events === 0) {
    html += filesTable(a, name);
    const unrecognised = a.files.some((f) => f.format === 'mixed');
    html += `<p class="empty" id="empty-state">No failure lines found in ${plural(lines, 'line')}.${
      unrecognised ? ' The format was not recognised, so every line was checked against every known format (nginx, HAProxy, Apache, Envoy, ALB, app servers).' : ''
    }</p>\n`;
    return html;
  }
  // The picture first, numbers second.
  html += totals(a);
  html += `<h2>Failure events over time</h2>\n${eventsChartSvg(a.perMinute)}\n${legend(causesIn(a.byCause))}\n`;
  html += causeTable(a, input.configFindings ?? {});
  html += upstreamTable(a);
  html += `<h2>Files</h2>\n${filesTable(a, name)}`;
  html += firstLines(a, name, input.linesPerCause ?? 10, input.configFindings ?? {});
  return html;
}

function filesTable(a: LogAnalysis, name: (f: string) => string): string {
  const rows = a.files
    .map((f) => {
      const notes = [f.gzip ? 'gzip' : '', f.truncatedLines ? `${plural(f.truncatedLines, 'long line')} cut` : ''].filter(Boolean).join(', ');
      return `<tr><td class="mono">${esc(name(f.file))}</td><td>${esc(f.format)}</td><td class="num">${num(f.lines)}</td><td class="num">${esc(size(f.bytes))}</td><td class="muted">${esc(notes)}</td></tr>`;
    })
    .join('\n');
  return `<table class="files">\n<tr><th>File</th><th>Format</th><th class="num">Lines</th><th class="num">Size</th><th></th></tr>\n${rows}\n</table>\n`;
}

function totals(a: LogAnalysis): string {
  const minutes = Object.keys(a.perMinute).filter((k) => parseMinute(k) !== undefined);
  const parts = [
    `<div class="total"><span class="big">${num(a.events)}</span> failure events</div>`,
    `<div class="total"><span class="big sev-error">${num(a.bySeverity.error)}</span> errors</div>`,
    `<div class="total"><span class="big sev-warning">${num(a.bySeverity.warning)}</span> warnings</div>`,
    `<div class="total"><span class="big">${num(causesIn(a.byCause).length)}</span> causes</div>`,
    `<div class="total"><span class="big">${num(Object.keys(a.byUpstream).length)}</span> upstreams</div>`,
  ];
  let html = `<div class="totals">${parts.join('')}</div>\n`;
  if (minutes.length) {
    const peak = minutes.reduce((m, k) => (total(a.perMinute[k]) > total(a.perMinute[m]) ? k : m));
    html += `<p>From <span class="mono">${esc(showMinute(minutes[0]))}</span> to <span class="mono">${esc(showMinute(minutes[minutes.length - 1]))}</span> (log time); busiest minute <span class="mono">${esc(
      showMinute(peak),
    )}</span> with ${plural(total(a.perMinute[peak]), 'event')}.</p>\n`;
  } else {
    html += `<p class="muted">The lines carry no time stamps the classifiers read, so there is no timeline.</p>\n`;
  }
  return html;
}

function causeTable(a: LogAnalysis, config: CauseCounts): string {
  const rows = (Object.entries(a.byCause) as [CauseId, number][])
    .sort((x, y) => y[1] - x[1])
    .map(([cause, n]) => {
      const first = a.findings.find((f) => f.cause === cause);
      const c = config[cause] ?? 0;
      return `<tr><td><span class="swatch cause-${esc(cause)}"></span>${esc(CAUSE_TITLES[cause] ?? cause)} <code>${esc(cause)}</code></td><td class="num">${num(n)}</td><td class="num">${pct(n, a.events)}</td><td>${
        first ? openLineButton(first, `line ${first.line}`) : ''
      }</td><td>${c ? configButton(cause, c) : '<span class="muted">none</span>'}</td></tr>`;
    })
    .join('\n');
  return `<h2>By cause</h2>\n<table class="by-cause">\n<tr><th>Cause</th><th class="num">Events</th><th class="num">Share</th><th>First line</th><th>Config findings</th></tr>\n${rows}\n</table>\n`;
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(n === of ? 0 : 1)}%` : '');

function configButton(cause: CauseId, count: number): string {
  return `<button class="secondary" data-command="showConfigFindings" data-arg="${esc(cause)}" title="${esc(plural(count, 'config finding'))} of this cause in the workspace">Show config findings (${num(count)})</button>`;
}

function openLineButton(f: LogFinding, label: string): string {
  return `<button class="secondary line" data-command="openLine" data-arg="${esc(lineArg(f.file, f.line))}" title="Open the log at line ${f.line}">${esc(label)}</button>`;
}

function upstreamTable(a: LogAnalysis): string {
  const ups = Object.entries(a.byUpstream).sort((x, y) => total(y[1]) - total(x[1]));
  if (!ups.length) return `<h2>By upstream</h2>\n<p class="muted">No line names an upstream.</p>\n`;
  const shown = ups.slice(0, 25);
  const rows = shown
    .map(([u, c]) => {
      const breakdown = causesIn(c)
        .map((id) => `<span class="chip"><span class="swatch cause-${esc(id)}"></span>${esc(id)} ${num(c[id] ?? 0)}</span>`)
        .join(' ');
      return `<tr><td class="mono">${esc(u)}</td><td class="num">${num(total(c))}</td><td>${breakdown}</td></tr>`;
    })
    .join('\n');
  const more = ups.length > shown.length ? `<p class="muted">… and ${plural(ups.length - shown.length, 'more upstream')}.</p>\n` : '';
  return `<h2>By upstream</h2>\n<table class="by-upstream">\n<tr><th>Upstream</th><th class="num">Events</th><th>Causes</th></tr>\n${rows}\n</table>\n${more}`;
}

function firstLines(a: LogAnalysis, name: (f: string) => string, perCause: number, config: CauseCounts): string {
  let html = '<h2>First lines of each cause</h2>\n';
  for (const [cause, n] of (Object.entries(a.byCause) as [CauseId, number][]).sort((x, y) => y[1] - x[1])) {
    const fs = a.findings.filter((f) => f.cause === cause).slice(0, perCause);
    html += `<h3><span class="swatch cause-${esc(cause)}"></span>${esc(CAUSE_TITLES[cause] ?? cause)} <span class="badge">${num(n)}</span></h3>\n`;
    if (config[cause]) html += `<div class="toolbar">${configButton(cause, config[cause]!)}</div>\n`;
    html += `<table class="lines">\n<tr><th>Line</th><th>Time</th><th>Code</th><th>Upstream</th><th>What happened and what to check</th></tr>\n`;
    html += fs
      .map(
        (f) =>
          `<tr><td>${openLineButton(f, `${name(f.file).split(/[\\/]/).pop()}:${f.line}`)}</td><td class="mono nowrap">${esc(f.time ? showMinute(f.time) + f.time.slice(16) : '')}</td><td class="mono">${esc(
            f.code ?? '',
          )}</td><td class="mono">${esc(f.upstream ?? '')}</td><td>${esc(f.message)}</td></tr>`,
      )
      .join('\n');
    html += '\n</table>\n';
    if (n > fs.length) html += `<p class="muted">${plural(n - fs.length, 'more line')} of this cause not listed.</p>\n`;
  }
  return html;
}

function legend(causes: CauseId[]): string {
  return `<ul class="legend">${causes.map((c) => `<li><span class="swatch cause-${esc(c)}"></span>${esc(CAUSE_TITLES[c] ?? c)}</li>`).join('')}</ul>`;
}

// ---- the chart -------------------------------------------------------------------------------------

/** `YYYY-MM-DDTHH:MM` → minutes since the epoch, reading the log's local time as if it were UTC. */
export function parseMinute(key: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(key);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  return Number.isFinite(ms) ? ms / 60000 : undefined;
}

function formatMinute(minutes: number): string {
  return new Date(minutes * 60000).toISOString().slice(0, 16).replace('T', ' ');
}

const showMinute = (key: string) => key.slice(0, 16).replace('T', ' ');

export interface Bucket {
  /** Minutes since the epoch of the bucket's start. */
  start: number;
  counts: CauseCounts;
}

export interface Buckets {
  /** Minutes per bucket: 1 while the span fits, else the smallest step that keeps the bars countable. */
  minutes: number;
  buckets: Bucket[];
  /** Events whose minute could not be placed (the aggregator's `(other)` overflow). */
  unplaced: number;
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200];

/** Groups per-minute counts into at most `maxBars` consecutive buckets (empty ones included). */
export function chartBuckets(perMinute: Record<string, CauseCounts>, maxBars = 120): Buckets {
  const placed: [number, CauseCounts][] = [];
  let unplaced = 0;
  for (const [k, c] of Object.entries(perMinute)) {
    const t = parseMinute(k);
    if (t === undefined) unplaced += total(c);
    else placed.push([t, c]);
  }
  if (!placed.length) return { minutes: 1, buckets: [], unplaced };
  let first = Infinity;
  let last = -Infinity;
  for (const [t] of placed) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const span = last - first + 1;
  const step = STEPS.find((s) => Math.floor(last / s) - Math.floor(first / s) + 1 <= maxBars) ?? Math.ceil(span / maxBars);
  const origin = Math.floor(first / step) * step;
  const buckets: Bucket[] = [];
  for (let t = origin; t <= last; t += step) buckets.push({ start: t, counts: {} });
  for (const [t, c] of placed) {
    const b = buckets[Math.floor((t - origin) / step)];
    for (const id of causesIn(c)) b.counts[id] = (b.counts[id] ?? 0) + (c[id] ?? 0);
  }
  return { minutes: step, buckets, unplaced };
}

/** A round number ≥ n for the top of the y axis (1, 2, 5 × 10^k). */
function niceCeil(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function stepLabel(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

/** Failure events per time bucket, stacked by cause (taxonomy order), with axes and labels. */
export function eventsChartSvg(perMinute: Record<string, CauseCounts>, maxBars = 120): string {
  const { minutes, buckets, unplaced } = chartBuckets(perMinute, maxBars);
  if (!buckets.length) return `<p class="muted">No time stamps to chart.</p>`;
  const left = 52;
  const right = 16;
  const top = 14;
  const bottom = 46;
  // Few bars get a narrow chart rather than thin bars lost in an empty one (it would also shrink its text).
  const maxBar = 48;
  const plotW = Math.min(692, Math.max(300, buckets.length * maxBar));
  const W = left + right + plotW;
  const H = 250;
  const plotH = H - top - bottom;
  const barW = Math.min(plotW / buckets.length, maxBar);
  const gap = barW >= 4 ? 1 : 0;
  const max = niceCeil(Math.max(...buckets.map((b) => total(b.counts))));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const per = stepLabel(minutes);
  const title = `Failure events per ${per}, stacked by cause`;
  let svg = `<svg class="chart events-chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">\n<title>${esc(title)}</title>\n`;
  for (const v of [0, max / 2, max]) {
    if (v !== Math.round(v)) continue;
    svg += `<line class="grid" x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`;
    svg += `<text class="tick" x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(v)}</text>\n`;
  }
  buckets.forEach((b, i) => {
    const x = left + i * barW;
    let base = 0;
    for (const id of causesIn(b.counts)) {
      const n = b.counts[id] ?? 0;
      const y1 = y(base + n);
      const h = y(base) - y1;
      svg += `<rect class="bar cause-${esc(id)}" x="${(x + gap / 2).toFixed(2)}" y="${y1.toFixed(2)}" width="${Math.max(barW - gap, 0.5).toFixed(2)}" height="${Math.max(h, 0.5).toFixed(2)}"><title>${esc(
        `${formatMinute(b.start)}${minutes > 1 ? ` (+${per})` : ''}: ${CAUSE_TITLES[id] ?? id} ${num(n)}`,
      )}</title></rect>`;
      base += n;
    }
    svg += '\n';
  });
  const bottomY = top + plotH;
  svg += `<line class="axis" x1="${left}" x2="${W - right}" y1="${bottomY}" y2="${bottomY}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottomY}"/>\n`;
  const endX = left + buckets.length * barW;
  const labels: [number, number, string][] = [[left, buckets[0].start, 'start']];
  if (buckets.length > 2) labels.push([left + Math.floor(buckets.length / 2) * barW, buckets[Math.floor(buckets.length / 2)].start, 'middle']);
  if (buckets.length > 1) labels.push([endX, buckets[buckets.length - 1].start, 'end']);
  for (const [x, t, anchor] of labels) svg += `<text class="tick" x="${x.toFixed(1)}" y="${bottomY + 16}" text-anchor="${anchor}">${esc(formatMinute(t))}</text>\n`;
  svg += `<text class="axis-label" x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle">${esc(`time as written in the log, one bar per ${per}`)}</text>\n`;
  svg += `<text class="axis-label" x="12" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 12 ${top + plotH / 2})">events</text>\n`;
  svg += '</svg>';
  if (unplaced) svg += `\n<p class="muted">${plural(unplaced, 'event')} beyond the kept minutes are counted in the totals but not drawn.</p>`;
  return svg;
}
