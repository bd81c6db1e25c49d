// Probe results in the Findings view: one row per probed URL (its latest result, newest first) with the
// phases, the hop that answered, the verdict with its evidence and next steps, redirects, and where the
// workspace config serves the URL. Results live for the session only (ProbeResults); the section renders.
import * as path from 'path';
import * as vscode from 'vscode';
import { CAUSE_TITLES } from '../core/finding';
import type { ErrorLogLine, PhasePercentiles, Redirect } from '../core/probe/types';
import type { CurlRequest } from '../core/probe/curl';
import type { ResolveOverride } from '../core/probe/resolveOverride';
import { sideOutcome } from '../core/probe/edgeCompare';
import type { UrlRoute, RoutePlace } from '../core/configs/nginx/urlRoute';
import { ProbeReportView, failedPhase, fmtMs, hasPercentiles, shownSample } from '../core/report/probeHtml';
import type { FindingsNode, TreeSection } from './findingsTree';

export const HAS_PROBE_CONTEXT = 'gatewayDoctor.hasProbe';

/** One finished probe, with what is needed to repeat it, draw it and copy it as curl. */
export interface ProbeResult {
  /** The URL as the user gave it: used to probe again, never shown (it may hold secrets). */
  url: string;
  report: ProbeReportView;
  finishedAt: Date;
  configLines: string[];
  route?: UrlRoute;
  errorLog?: { files: string[]; lines: ErrorLogLine[] };
  request: CurlRequest;
  /** Probe Origin Directly…: the samples went to this address (curl --resolve); Probe Again keeps it. */
  resolve?: ResolveOverride[];
}

/** The session's probe results: the latest per URL, newest first. */
export class ProbeResults implements vscode.Disposable {
  private readonly byUrl = new Map<string, ProbeResult>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  add(result: ProbeResult): void {
    this.byUrl.delete(result.url);
    this.byUrl.set(result.url, result);
    this.update();
  }

  list(): ProbeResult[] {
    return [...this.byUrl.values()].reverse();
  }

  get(url: string): ProbeResult | undefined {
    return this.byUrl.get(url);
  }

  newest(): ProbeResult | undefined {
    return this.list()[0];
  }

  clear(): void {
    this.byUrl.clear();
    this.update();
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', HAS_PROBE_CONTEXT, this.byUrl.size > 0);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

type PhaseKey = 'dns' | 'connect' | 'tls' | 'ttfb' | 'total';

export type ProbeNode =
  | { kind: 'probe'; result: ProbeResult }
  | { kind: 'phase'; result: ProbeResult; key: PhaseKey }
  | { kind: 'hop'; result: ProbeResult }
  | { kind: 'verdict'; result: ProbeResult }
  | { kind: 'evidence'; result: ProbeResult; index: number }
  | { kind: 'step'; result: ProbeResult; index: number }
  | { kind: 'redirects'; result: ProbeResult }
  | { kind: 'redirect'; result: ProbeResult; redirect: Redirect; index: number }
  | { kind: 'comparison'; result: ProbeResult }
  | { kind: 'side'; result: ProbeResult; side: 'edge' | 'origin' }
  | { kind: 'config'; result: ProbeResult }
  | { kind: 'place'; result: ProbeResult; place: RoutePlace; index: number };

const PHASES: Array<{ key: PhaseKey; label: string; icon: string; ms: 'dnsMs' | 'connectMs' | 'tlsMs' | 'ttfbMs' | 'totalMs' }> = [
  { key: 'dns', label: 'DNS lookup', icon: 'globe', ms: 'dnsMs' },
  { key: 'connect', label: 'TCP connect', icon: 'plug', ms: 'connectMs' },
  { key: 'tls', label: 'TLS handshake', icon: 'lock', ms: 'tlsMs' },
  { key: 'ttfb', label: 'Server processing (TTFB)', icon: 'server-process', ms: 'ttfbMs' },
  { key: 'total', label: 'Total', icon: 'watch', ms: 'totalMs' },
];

/** A Findings tree node that belongs to the probe section, else undefined. */
export function probeNodeOf(arg: unknown): ProbeNode | undefined {
  const n = arg as FindingsNode | undefined;
  if (n && typeof n === 'object' && n.kind === 'section' && n.section.id === 'probe') return n.node as ProbeNode;
  return undefined;
}

export class ProbeSection implements TreeSection<ProbeNode> {
  readonly id = 'probe';
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly results: ProbeResults) {
    this.onDidChange = results.onDidChange;
  }

  roots(): ProbeNode[] {
    return this.results.list().map((result) => ({ kind: 'probe', result }));
  }

  children(node: ProbeNode): ProbeNode[] {
    const result = node.result;
    const r = result.report;
    switch (node.kind) {
      case 'probe': {
        const out: ProbeNode[] = PHASES.filter((p) => p.key !== 'tls' || r.url.startsWith('https:')).map((p) => ({ kind: 'phase', result, key: p.key }));
        out.push({ kind: 'hop', result });
        if (r.edgeComparison) out.push({ kind: 'comparison', result });
        out.push({ kind: 'verdict', result });
        if (shownSample(r)?.redirects.length) out.push({ kind: 'redirects', result });
        if (result.route?.places.length) out.push({ kind: 'config', result });
        return out;
      }
      case 'verdict':
        return [
          ...r.verdict.evidence.map((_, index) => ({ kind: 'evidence' as const, result, index })),
          ...r.verdict.nextSteps.map((_, index) => ({ kind: 'step' as const, result, index })),
        ];
      case 'redirects':
        return (shownSample(r)?.redirects ?? []).map((redirect, index) => ({ kind: 'redirect', result, redirect, index }));
      case 'comparison':
        return [
          { kind: 'side', result, side: 'edge' },
          { kind: 'side', result, side: 'origin' },
        ];
      case 'config':
        return (result.route?.places ?? []).map((place, index) => ({ kind: 'place', result, place, index }));
      default:
        return [];
    }
  }

  item(node: ProbeNode): vscode.TreeItem {
    const r = node.result.report;
    const base = `probe:${node.result.url}`;
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'probe': {
        const newest = this.results.newest() === node.result;
        const item = new vscode.TreeItem(r.url, newest ? vscode.TreeItemCollapsibleState.Expanded : Collapsed);
        item.id = base;
        const s = shownSample(r);
        const outcome = r.status ?? s?.error?.code ?? 'no response';
        const origin = r.edgeComparison?.origin.addresses[0];
        item.description = `${outcome} · ${CAUSE_TITLES[r.verdict.cause]}${origin ? ` · origin ${origin}` : ''}`;
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMd(String(outcome))}** · ${escapeMd(CAUSE_TITLES[r.verdict.cause])} (${r.verdict.confidence} confidence)\n\n`);
        md.appendText(r.verdict.summary);
        md.appendMarkdown(`\n\n${r.samples.length} sample(s), ${node.result.finishedAt.toLocaleTimeString()}`);
        item.tooltip = md;
        item.iconPath = healthIcon(node.result);
        item.contextValue = 'probe';
        item.command = { command: 'gatewayDoctor.probe.openReport', title: 'Open Probe Report', arguments: [node.result.url] };
        return item;
      }
      case 'phase': {
        const p = PHASES.find((x) => x.key === node.key)!;
        const item = new vscode.TreeItem(p.label, None);
        item.id = `${base}:phase:${p.key}`;
        const s = shownSample(r);
        const failed = failedPhase(s) === p.key;
        const ms = r.phases[p.ms];
        const pct = hasPercentiles(r) ? r.percentiles[p.ms] : undefined;
        const parts = [failed && s?.error ? `failed: ${s.error.code}${ms > 0 ? ` after ${fmtMs(ms)}` : ''}` : fmtMs(ms)];
        if (pct) parts.push(pctText(pct));
        item.description = parts.join(' · ');
        item.tooltip = failed && s?.error ? `${p.label} failed: ${s.error.message}` : `${p.label}: ${fmtMs(ms)}${pct ? ` (${pctText(pct)} over ${r.percentiles.count} samples)` : ''}`;
        item.iconPath = failed ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')) : new vscode.ThemeIcon(p.icon);
        item.contextValue = failed ? 'probe.phase.failed' : 'probe.phase';
        return item;
      }
      case 'hop': {
        const by = r.hop.generatedBy;
        const item = new vscode.TreeItem(by === 'no-response' ? 'No HTTP response' : `Generated by ${by}`, None);
        item.id = `${base}:hop`;
        item.description = by === 'no-response' ? 'the connection failed first' : 'hop that answered';
        const md = new vscode.MarkdownString();
        for (const e of r.hop.evidence) {
          md.appendMarkdown('- ');
          md.appendText(e);
          md.appendMarkdown('\n');
        }
        item.tooltip = r.hop.evidence.length ? md : undefined;
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'probe.hop';
        return item;
      }
      case 'verdict': {
        const v = r.verdict;
        const item = new vscode.TreeItem(CAUSE_TITLES[v.cause], v.evidence.length + v.nextSteps.length ? vscode.TreeItemCollapsibleState.Expanded : None);
        item.id = `${base}:verdict`;
        item.description = `${v.cause} · ${v.confidence} confidence`;
        item.tooltip = v.summary;
        item.iconPath = new vscode.ThemeIcon(v.cause === 'none' ? 'pass' : 'lightbulb');
        item.contextValue = 'probe.verdict';
        return item;
      }
      case 'evidence':
      case 'step': {
        const text = node.kind === 'evidence' ? r.verdict.evidence[node.index] : r.verdict.nextSteps[node.index];
        const item = new vscode.TreeItem(text, None);
        item.id = `${base}:${node.kind}:${node.index}`;
        item.description = node.kind === 'evidence' ? 'evidence' : 'next step';
        item.tooltip = text;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'evidence' ? 'search' : 'arrow-right');
        item.contextValue = `probe.${node.kind}`;
        return item;
      }
      case 'redirects': {
        const n = shownSample(r)?.redirects.length ?? 0;
        const item = new vscode.TreeItem('Redirects', Collapsed);
        item.id = `${base}:redirects`;
        item.description = String(n);
        item.iconPath = new vscode.ThemeIcon('arrow-swap');
        item.contextValue = 'probe.redirects';
        return item;
      }
      case 'redirect': {
        const d = node.redirect;
        const item = new vscode.TreeItem(`${d.status} → ${d.location}`, None);
        item.id = `${base}:redirect:${node.index}`;
        item.description = d.followed ? 'followed' : d.note ?? 'not followed';
        item.tooltip = `${d.from} → ${d.location}${d.note ? ` (${d.note})` : ''}`;
        item.iconPath = new vscode.ThemeIcon('arrow-right');
        item.contextValue = 'probe.redirect';
        return item;
      }
      case 'comparison': {
        const c = r.edgeComparison!;
        const item = new vscode.TreeItem('Edge vs origin', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${base}:comparison`;
        const st = (x: typeof c.edge) => (x.status === null ? (x.error?.split(':')[0] ?? 'no response') : String(x.status));
        item.description = `edge ${st(c.edge)} · origin ${st(c.origin)}`;
        item.tooltip = c.conclusion;
        const bad = c.outcome === 'edge-fails' || c.outcome === 'both-fail' || c.outcome === 'origin-fails';
        item.iconPath = new vscode.ThemeIcon('git-compare', bad ? new vscode.ThemeColor('list.warningForeground') : undefined);
        item.contextValue = 'probe.comparison';
        return item;
      }
      case 'side': {
        const c = r.edgeComparison!;
        const x = c[node.side];
        const label = node.side === 'edge' ? `Edge (DNS): ${x.addresses.join(', ') || 'no address'}` : `Origin (--resolve): ${x.addresses.join(', ')}`;
        const item = new vscode.TreeItem(label, None);
        item.id = `${base}:side:${node.side}`;
        item.description = `${sideOutcome(x)} · p50 ${fmtMs(x.totalMsP50)}`;
        item.tooltip = `${label}\n${sideOutcome(x)}; ${Math.round(x.errorRate * 100)}% of ${x.samples} samples failed; median total ${fmtMs(x.totalMsP50)}${x.error ? `\n${x.error}` : ''}`;
        const failed = x.errorRate > 0;
        item.iconPath = failed ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')) : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
        item.contextValue = 'probe.side';
        return item;
      }
      case 'config': {
        const root = node.result.route!.root;
        const item = new vscode.TreeItem('Served by the workspace config', Collapsed);
        item.id = `${base}:config`;
        item.description = vscode.workspace.asRelativePath(root);
        item.tooltip = `The server and location in ${vscode.workspace.asRelativePath(root)} that answer this URL`;
        item.iconPath = new vscode.ThemeIcon('file-code');
        item.contextValue = 'probe.config';
        return item;
      }
      case 'place': {
        const pl = node.place;
        const item = new vscode.TreeItem(pl.text, None);
        item.id = `${base}:place:${node.index}`;
        item.description = `${path.basename(pl.file)}:${pl.line + 1}`;
        item.tooltip = `${vscode.workspace.asRelativePath(pl.file)}:${pl.line + 1}`;
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        item.contextValue = 'probe.place';
        item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(pl.file), { selection: new vscode.Range(pl.line, pl.character, pl.line, pl.character) }] };
        return item;
      }
    }
  }
}

function pctText(p: PhasePercentiles): string {
  return `p50 ${fmtMs(p.p50)} / p95 ${fmtMs(p.p95)} / p99 ${fmtMs(p.p99)}`;
}

function healthIcon(result: ProbeResult): vscode.ThemeIcon {
  const r = result.report;
  if (r.verdict.cause === 'none') return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  const s = shownSample(r);
  if (s?.error || (r.status ?? 0) >= 500) return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
