// The VS Code adapter's life cycle, top to bottom. Everything registered here is pushed to
// context.subscriptions; the work itself lives in src/core and in the small modules beside this one.
import * as vscode from 'vscode';
import { docsFileName, docsUrl } from '../core/finding';
import { FindingsModel } from './findingsModel';
import { ConfigIndex } from './workspaceIndex';
import { LiveLinter, publishDiagnostics } from './diagnostics';
import { FixProvider, OPEN_RULE_DOCS_COMMAND } from './codeActions';
import { DirectiveHoverProvider } from './hover';
import { FindingsNode, FindingsTreeProvider, REVEAL_FINDING_COMMAND, findingOf, revealFinding } from './findingsTree';
import { WorkspaceInspector } from './inspectWorkspace';
import { applyFindingFix } from './applyFix';
import { UrlProber } from './probeUrl';
import { ProbeResults, ProbeSection } from './probeSection';
import { ReportPanels } from './reportPanel';
import { ReportExporter } from './exportReport';
import { UrlWatch, WATCH_START_COMMAND, WATCH_STOP_COMMAND } from './urlWatch';
import { LogAnalyzer, registerLogCommands } from './logAnalysis';
import { LogDiagnostics } from './logDiagnostics';
import { GzipLogProvider } from './logDocuments';
import { LogSection } from './logSection';
import { PROVIDER_SELECTOR } from './documents';
import { GroupBy, SECTION, readSettings } from './settings';

/** What activate() returns: read by the in-editor tests (the tree as VS Code walks it, the report HTML). */
export interface GatewayDoctorApi {
  findingsTree: FindingsTreeProvider;
  reports: ReportPanels;
  watch: UrlWatch;
}

export function activate(context: vscode.ExtensionContext): GatewayDoctorApi {
  const subs = context.subscriptions;

  // -- Log: one output channel, levels chosen by the user ("Developer: Set Log Level").
  const log = vscode.window.createOutputChannel('Gateway Doctor', { log: true });
  subs.push(log);
  log.info(`activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in restricted mode: configs are only read'})`);

  // -- Workspace config index: the candidate root files, kept current by a file watcher.
  const index = new ConfigIndex(log);
  subs.push(index);

  // -- Findings: one model, mirrored into the Problems panel.
  const model = new FindingsModel();
  subs.push(model, publishDiagnostics(model));

  // -- Live linting of open nginx documents while typing.
  const linter = new LiveLinter(model, index, log);
  subs.push(linter);
  linter.lintOpenDocuments();

  // -- Quick fixes, fix-all (also for editor.codeActionsOnSave) and rule docs.
  subs.push(
    vscode.languages.registerCodeActionsProvider(PROVIDER_SELECTOR, new FixProvider(model), FixProvider.metadata),
    vscode.commands.registerCommand(OPEN_RULE_DOCS_COMMAND, (arg: string | FindingsNode) => openRuleDocs(context, typeof arg === 'string' ? arg : findingOf(arg)?.ruleId)),
  );

  // -- Hover on directive names.
  subs.push(vscode.languages.registerHoverProvider(PROVIDER_SELECTOR, new DirectiveHoverProvider(index, log)));

  // -- Findings view and its commands.
  const tree = new FindingsTreeProvider(model, readSettings().groupBy);
  const view = vscode.window.createTreeView('gatewayDoctor.findings', { treeDataProvider: tree, showCollapseAll: true });
  const setGroupBy = async (groupBy: GroupBy) => {
    tree.setGroupBy(groupBy);
    await vscode.commands.executeCommand('setContext', 'gatewayDoctor.groupBy', groupBy);
  };
  void setGroupBy(readSettings().groupBy);
  const inspector = new WorkspaceInspector(model, index, log, (text) => (view.message = text));
  subs.push(
    tree,
    view,
    inspector,
    vscode.commands.registerCommand('gatewayDoctor.findings.refresh', () => inspector.run()),
    vscode.commands.registerCommand('gatewayDoctor.findings.groupByCause', () => updateGroupBy('cause')),
    vscode.commands.registerCommand('gatewayDoctor.findings.groupByFile', () => updateGroupBy('file')),
    vscode.commands.registerCommand(REVEAL_FINDING_COMMAND, revealFinding),
    vscode.commands.registerCommand('gatewayDoctor.findings.applyFix', (arg: FindingsNode) => {
      const f = findingOf(arg);
      return f ? applyFindingFix(f, index, log) : undefined;
    }),
  );

  // -- Report webviews (probe report, log report), one panel per key.
  const reports = new ReportPanels(context.extensionUri);
  subs.push(reports);

  // -- Markdown incident report; probe results and log analyses register themselves as sources.
  const exporter = new ReportExporter(model, () => inspector.run({ quiet: true }), () => inspector.hasRun);

  // -- Logs: Analyze Log File… (its Findings section and report) and diagnostics on open log files.
  const logs = new LogAnalyzer(model, reports, log);
  const logSection = new LogSection(logs, model.onDidChange);
  const logDiagnostics = new LogDiagnostics(log);
  subs.push(logs, logSection, tree.addSection(logSection), logDiagnostics, ...registerLogCommands(logs, new GzipLogProvider()));
  logDiagnostics.analyzeOpenDocuments();

  // -- Probe: results for the session in the Findings view, the report webview, copy as curl.
  const probeResults = new ProbeResults();
  const prober = new UrlProber(context.globalState, index, log, probeResults, reports);
  subs.push(probeResults, prober, prober.registerCommands(), tree.addSection(new ProbeSection(probeResults)));

  // -- Status-bar watch of one URL (synthetic probe on an interval).
  const watch = new UrlWatch(context.workspaceState, log);
  subs.push(
    watch,
    vscode.commands.registerCommand(WATCH_START_COMMAND, (url?: string, intervalMs?: number) => watch.start(typeof url === 'string' ? url : undefined, typeof intervalMs === 'number' ? intervalMs : undefined)),
    vscode.commands.registerCommand(WATCH_STOP_COMMAND, () => watch.stop()),
  );

  subs.push(exporter.addSource({ probes: () => probeResults.list().map((r) => r.report), logs: () => logs.runs.list().map((r) => r.analysis) }));

  // -- Palette commands.
  subs.push(
    vscode.commands.registerCommand('gatewayDoctor.inspectWorkspace', () => inspector.run()),
    vscode.commands.registerCommand('gatewayDoctor.probeUrl', (url?: string) => prober.run(typeof url === 'string' ? url : undefined)),
    vscode.commands.registerCommand('gatewayDoctor.exportReport', () => exporter.run()),
  );

  // -- Settings: re-lint open documents, re-run an inspection already shown, regroup the tree.
  subs.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration(`${SECTION}.findings.groupBy`)) void setGroupBy(readSettings().groupBy);
      const lintSettings = ['nginx.version', 'lint.enable', 'rules.disabled', 'maxFileSizeMB'].map((k) => `${SECTION}.${k}`);
      if (!lintSettings.some((k) => e.affectsConfiguration(k))) return;
      log.info('settings changed: linting again');
      linter.lintOpenDocuments();
      if (inspector.hasRun) void inspector.run({ quiet: true });
    }),
  );

  return { findingsTree: tree, reports, watch };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** The tree's grouping is a view preference: kept where the user set it, else for the user. */
function updateGroupBy(groupBy: GroupBy): Thenable<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspect = c.inspect<string>('findings.groupBy');
  const target = inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return c.update('findings.groupBy', groupBy, target);
}

/** The rule's page shipped with the extension (works offline, matches this version), else the online one. */
async function openRuleDocs(context: vscode.ExtensionContext, ruleId: string | undefined): Promise<void> {
  if (!ruleId) return;
  const local = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', docsFileName(ruleId));
  try {
    await vscode.workspace.fs.stat(local);
    await vscode.commands.executeCommand('markdown.showPreview', local);
  } catch {
    await vscode.env.openExternal(vscode.Uri.parse(docsUrl(ruleId)));
  }
}
