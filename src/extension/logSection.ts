// The log analyses in the Findings view, above the config findings: one root per analysis (contextValue
// `log`, menus open its report or clear it) with its causes (count; the first lines, which open the log
// there; the workspace's config findings of the same cause), its upstreams and its time span.
import * as path from 'path';
import * as vscode from 'vscode';
import { CAUSE_IDS, CAUSE_TITLES, CauseId, Finding } from '../core/finding';
import type { CauseCounts, LogFinding } from '../core/logs/analyze';
import { TreeSection, findingTreeItem } from './findingsTree';
import { LogAnalyzer, LogRun, OPEN_LOG_LINE_COMMAND, displayName } from './logAnalysis';

/** Lines listed under a cause in the tree; the report lists more and counts all. */
const LINES_PER_CAUSE = 20;
const UPSTREAMS_SHOWN = 50;

export type LogNode =
  | { kind: 'run'; run: LogRun }
  | { kind: 'cause'; run: LogRun; cause: CauseId; count: number }
  | { kind: 'line'; run: LogRun; finding: LogFinding }
  | { kind: 'more'; run: LogRun; cause: CauseId; count: number }
  | { kind: 'config'; run: LogRun; cause: CauseId; findings: Finding[] }
  /** `configFinding` (not `finding`): the Findings view's menus (Open Finding, Apply Fix) find it by that name. */
  | { kind: 'configFinding'; run: LogRun; configFinding: Finding }
  | { kind: 'upstreams'; run: LogRun }
  | { kind: 'upstream'; run: LogRun; upstream: string; counts: CauseCounts }
  | { kind: 'time'; run: LogRun }
  | { kind: 'timeRow'; run: LogRun; label: string; value: string };

/** Theme colours matching the report's chart (media/logs-report.css). */
const CAUSE_COLOR: Partial<Record<CauseId, string>> = {
  'upstream-down': 'charts.red',
  'timeout-mismatch': 'charts.orange',
  'keepalive-race': 'charts.yellow',
  dns: 'charts.blue',
  routing: 'charts.purple',
  tls: 'charts.green',
  'buffer-limits': 'terminal.ansiCyan',
  'pool-exhaustion': 'terminal.ansiMagenta',
  intermediary: 'terminal.ansiBrightBlue',
  overload: 'terminal.ansiBrightRed',
  'client-side': 'terminal.ansiBrightGreen',
};

const total = (c: CauseCounts) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);
const num = (n: number) => n.toLocaleString('en-US');

export class LogSection implements TreeSection<LogNode>, vscode.Disposable {
  readonly id = 'log';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly analyzer: LogAnalyzer, onConfigFindingsChange: vscode.Event<unknown>) {
    this.subs = [
      analyzer.runs.onDidChange(() => this.changed.fire()),
      // The "config findings of this cause" rows follow the workspace's findings.
      onConfigFindingsChange(() => {
        if (analyzer.runs.list().length) this.changed.fire();
      }),
      this.changed,
    ];
  }

  roots(): LogNode[] {
    return this.analyzer.runs.list().map((run) => ({ kind: 'run', run }));
  }

  children(node: LogNode): LogNode[] {
    const { run } = node;
    const a = run.analysis;
    switch (node.kind) {
      case 'run': {
        if (a.events === 0) return [];
        const causes: LogNode[] = CAUSE_IDS.filter((c) => (a.byCause[c] ?? 0) > 0)
          .sort((x, y) => (a.byCause[y] ?? 0) - (a.byCause[x] ?? 0))
          .map((cause) => ({ kind: 'cause', run, cause, count: a.byCause[cause] ?? 0 }));
        const rest: LogNode[] = [];
        if (Object.keys(a.byUpstream).length) rest.push({ kind: 'upstreams', run });
        if (Object.keys(a.perMinute).length) rest.push({ kind: 'time', run });
        return [...causes, ...rest];
      }
      case 'cause': {
        const lines = a.findings.filter((f) => f.cause === node.cause).slice(0, LINES_PER_CAUSE);
        const out: LogNode[] = lines.map((finding) => ({ kind: 'line', run, finding }));
        if (node.count > lines.length) out.push({ kind: 'more', run, cause: node.cause, count: node.count - lines.length });
        const config = this.analyzer.configFindingsOf(node.cause);
        if (config.length) out.push({ kind: 'config', run, cause: node.cause, findings: config });
        return out;
      }
      case 'config':
        return node.findings.map((configFinding) => ({ kind: 'configFinding', run, configFinding }));
      case 'upstreams':
        return Object.entries(a.byUpstream)
          .sort((x, y) => total(y[1]) - total(x[1]))
          .slice(0, UPSTREAMS_SHOWN)
          .map(([upstream, counts]) => ({ kind: 'upstream', run, upstream, counts }));
      case 'time': {
        const minutes = Object.keys(a.perMinute).filter((k) => /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(k));
        if (!minutes.length) return [];
        const peak = minutes.reduce((m, k) => (total(a.perMinute[k]) > total(a.perMinute[m]) ? k : m));
        const show = (k: string) => k.replace('T', ' ');
        return [
          { kind: 'timeRow', run, label: 'First event', value: show(minutes[0]) },
          { kind: 'timeRow', run, label: 'Last event', value: show(minutes[minutes.length - 1]) },
          { kind: 'timeRow', run, label: 'Busiest minute', value: `${show(peak)} · ${num(total(a.perMinute[peak]))} events` },
        ];
      }
      default:
        return [];
    }
  }

  item(node: LogNode): vscode.TreeItem {
    const runId = `log:${node.run.key}`;
    const a = node.run.analysis;
    switch (node.kind) {
      case 'run': {
        const files = node.run.files;
        const lines = a.files.reduce((s, f) => s + f.lines, 0);
        const item = new vscode.TreeItem(files.length === 1 ? path.basename(files[0]) : `${files.length} log files`, a.events ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = runId;
        item.description = a.events ? `${num(a.events)} event${a.events === 1 ? '' : 's'}` : `no failure lines found in ${num(lines)} line${lines === 1 ? '' : 's'}`;
        const md = new vscode.MarkdownString();
        md.appendMarkdown('**Log analysis**\n\n');
        for (const f of a.files) md.appendText(`${displayName(f.file)} — ${f.format}${f.gzip ? ', gzip' : ''}, ${num(f.lines)} lines\n`);
        md.appendMarkdown(`\n${num(a.events)} failure events. Open Log Report shows the chart and the tables.`);
        item.tooltip = md;
        item.iconPath = new vscode.ThemeIcon('output');
        item.contextValue = 'log';
        return item;
      }
      case 'cause': {
        const item = new vscode.TreeItem(CAUSE_TITLES[node.cause], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${runId}:cause:${node.cause}`;
        item.description = num(node.count);
        item.tooltip = `${node.cause}: ${num(node.count)} failure line(s)`;
        item.iconPath = new vscode.ThemeIcon('circle-filled', CAUSE_COLOR[node.cause] ? new vscode.ThemeColor(CAUSE_COLOR[node.cause]!) : undefined);
        item.contextValue = 'log.cause';
        return item;
      }
      case 'line': {
        const f = node.finding;
        const item = new vscode.TreeItem(`${path.basename(f.file)}:${f.line}`, vscode.TreeItemCollapsibleState.None);
        item.id = `${runId}:line:${f.file}:${f.line}`;
        item.description = [f.time?.replace('T', ' '), f.code, f.upstream].filter(Boolean).join(' · ');
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${f.severity}** · ${CAUSE_TITLES[f.cause]}\n\n`);
        md.appendText(f.message);
        item.tooltip = md;
        item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
        item.contextValue = 'log.line';
        item.command = { command: OPEN_LOG_LINE_COMMAND, title: 'Open Log Line', arguments: [f.file, f.line] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`${num(node.count)} more line${node.count === 1 ? '' : 's'} of this cause`, vscode.TreeItemCollapsibleState.None);
        item.id = `${runId}:more:${node.cause}`;
        item.description = 'in the log report';
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'log.more';
        item.command = { command: 'gatewayDoctor.logs.openReport', title: 'Open Log Report', arguments: [{ node }] };
        return item;
      }
      case 'config': {
        const n = node.findings.length;
        const item = new vscode.TreeItem(`${num(n)} config finding${n === 1 ? '' : 's'} of this cause`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${runId}:config:${node.cause}`;
        item.tooltip = `Settings in this workspace's configs that lead to the same cause (${CAUSE_TITLES[node.cause]}).`;
        item.iconPath = new vscode.ThemeIcon('link');
        item.contextValue = 'log.configFindings';
        return item;
      }
      case 'configFinding':
        return findingTreeItem(node.configFinding, 'cause', `${runId}:config`);
      case 'upstreams': {
        const n = Object.keys(a.byUpstream).length;
        const item = new vscode.TreeItem('By upstream', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${runId}:upstreams`;
        item.description = `${num(n)} upstream${n === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'log.upstreams';
        return item;
      }
      case 'upstream': {
        const item = new vscode.TreeItem(node.upstream, vscode.TreeItemCollapsibleState.None);
        item.id = `${runId}:upstream:${node.upstream}`;
        const causes = (Object.entries(node.counts) as [CauseId, number][]).sort((x, y) => y[1] - x[1]);
        item.description = `${num(total(node.counts))} · ${causes.map(([c, n]) => `${c} ${num(n)}`).join(', ')}`;
        item.iconPath = new vscode.ThemeIcon('plug');
        item.contextValue = 'log.upstream';
        return item;
      }
      case 'time': {
        const item = new vscode.TreeItem('Over time', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${runId}:time`;
        const n = Object.keys(a.perMinute).length;
        item.description = `${num(n)} minute${n === 1 ? '' : 's'} with events`;
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = 'log.time';
        return item;
      }
      case 'timeRow': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${runId}:time:${node.label}`;
        item.description = node.value;
        item.contextValue = 'log.time';
        return item;
      }
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
