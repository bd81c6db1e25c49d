// "Analyze Log File…": the active editor's log or files picked in a dialog (several, .gz too), streamed
// through the log core with progress and cancel; files that are not text logs are named with the reason
// and skipped. Each analysis becomes a root in the Findings view (logSection.ts) and opens its report
// webview. Reading a log is reading, so restricted mode allows it.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { CAUSE_TITLES, CauseId, Finding, isCauseId } from '../core/finding';
import { CauseCounts, LogAnalysis, analyzeFiles } from '../core/logs/analyze';
import { analyzeLinesInSlices, ioReason, whyNotATextLog } from '../core/logs/editorAnalysis';
import { logsReportHtml, parseLineArg } from '../core/report/logsHtml';
import { FindingsModel } from './findingsModel';
import { revealFinding } from './findingsTree';
import { GZIP_LOG_SCHEME, isLogDocument, openLogLine } from './logDocuments';
import { ReportMessage, ReportPanels } from './reportPanel';

export const ANALYZE_LOG_COMMAND = 'gatewayDoctor.analyzeLogFile';
export const OPEN_LOG_LINE_COMMAND = 'gatewayDoctor.logs.openLine';

/** One finished analysis: one file or the files picked together. */
export interface LogRun {
  key: string;
  files: string[];
  analysis: LogAnalysis;
}

/** The analyses shown in the Findings view, newest first. */
export class LogRuns implements vscode.Disposable {
  private readonly runs = new Map<string, LogRun>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  list(): LogRun[] {
    return [...this.runs.values()].reverse();
  }

  get(key: string): LogRun | undefined {
    return this.runs.get(key);
  }

  /** Adds a run; the same files analysed again replace their old run (and move to the top). */
  set(run: LogRun): void {
    this.runs.delete(run.key);
    this.runs.set(run.key, run);
    this.changed.fire();
  }

  delete(key: string): void {
    if (this.runs.delete(key)) this.changed.fire();
  }

  clear(): void {
    if (!this.runs.size) return;
    this.runs.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What the command resolves with (tests and other extensions read it; users see the notifications). */
export interface AnalyzeLogResult {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed';
  analysis?: LogAnalysis;
  /** Files skipped or the failure, as told to the user. */
  message?: string;
  /** The report page as shown (absent when it was not opened). */
  reportHtml?: string;
}

export interface AnalyzeLogOptions {
  /** Cancels like the progress notification's Cancel button. */
  cancellation?: vscode.CancellationToken;
  /** Open the report when done (default true). */
  showReport?: boolean;
  /** Bytes read over all files so far and their total, after every chunk (the notification shows it throttled). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

type Target = { kind: 'files'; files: string[] } | { kind: 'document'; doc: vscode.TextDocument };

export class LogAnalyzer implements vscode.Disposable {
  readonly runs = new LogRuns();
  private readonly subs: vscode.Disposable[] = [this.runs];
  /** Per report key, its panel and the config-finding counts it was rendered with (re-rendered when they change). */
  private readonly rendered = new Map<string, { panel: vscode.WebviewPanel; counts: string }>();

  constructor(
    private readonly model: FindingsModel,
    private readonly reports: ReportPanels,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      this.runs.onDidChange(() => void vscode.commands.executeCommand('setContext', 'gatewayDoctor.hasLogs', this.runs.list().length > 0)),
      model.onDidChange(() => this.refreshOpenReports()),
    );
  }

  /**
   * The command. `target`: a Uri, a path, or several (the explorer passes the clicked Uri and the
   * selection); none: the active editor's log or a file dialog.
   */
  async run(target?: unknown, selection?: unknown, options: AnalyzeLogOptions = {}): Promise<AnalyzeLogResult> {
    const picked = (await targetOf(target, selection)) ?? (await this.ask());
    if (!picked) return { status: 'dismissed' };
    if (picked.kind === 'document') return this.analyzeDocument(picked.doc, options);

    const problems: string[] = [];
    const files: string[] = [];
    for (const f of picked.files) {
      const why = await whyNotATextLog(f);
      if (why) problems.push(`${displayName(f)}: ${why}`);
      else files.push(f);
    }
    if (problems.length) {
      const message = `Gateway Doctor cannot analyze ${problems.join('; ')}.`;
      void vscode.window.showErrorMessage(message);
      if (!files.length) return { status: 'failed', message };
    }
    const result = await this.analyzeOnDisk(files, options);
    if (problems.length && result.status === 'done') result.message = `skipped ${problems.join('; ')}`;
    return result;
  }

  private async ask(): Promise<Target | undefined> {
    const active = vscode.window.activeTextEditor?.document;
    if (active && isLogDocument(active)) {
      const choose = { label: '$(folder-opened) Choose log files…', description: '*.log, *.gz, any text log' };
      const current = { label: `$(output) ${path.basename(active.uri.path)}`, description: 'the log in the active editor' };
      const pick = await vscode.window.showQuickPick([current, choose], { title: 'Gateway Doctor: Analyze Log File', placeHolder: 'Which log?' });
      if (!pick) return undefined;
      if (pick === current) return documentTarget(active);
    }
    const uris = await vscode.window.showOpenDialog({
      title: 'Gateway Doctor: Analyze Log File',
      openLabel: 'Analyze',
      canSelectMany: true,
      canSelectFolders: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'Logs (*.log, *.gz)': ['log', 'gz'], 'All files': ['*'] },
    });
    return uris?.length ? { kind: 'files', files: uris.map((u) => u.fsPath) } : undefined;
  }

  private async analyzeOnDisk(files: string[], options: AnalyzeLogOptions): Promise<AnalyzeLogResult> {
    const sizes = files.map((f) => fs.statSync(f).size);
    const totalBytes = sizes.reduce((s, n) => s + n, 0);
    const label = files.length === 1 ? displayName(files[0]) : `${files.length} log files`;
    let current = files[0];
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Gateway Doctor: analyzing ${label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subs = [token.onCancellationRequested(() => controller.abort()), options.cancellation?.onCancellationRequested(() => controller.abort())];
        if (options.cancellation?.isCancellationRequested) controller.abort();
        let before = 0;
        let index = -1;
        let reported = 0;
        let lastReport = 0;
        try {
          const analysis = await analyzeFiles(files, {
            signal: controller.signal,
            onFile: (f) => {
              current = f;
              index++;
              before = sizes.slice(0, index).reduce((s, n) => s + n, 0);
            },
            onProgress: (read) => {
              options.onProgress?.(before + read, totalBytes);
              const now = Date.now();
              if (now - lastReport < 100) return; // a notification update per chunk would flood the UI
              lastReport = now;
              const done = before + read;
              const pct = totalBytes ? (100 * done) / totalBytes : 100;
              progress.report({ message: `${mb(done)} of ${mb(totalBytes)}${files.length > 1 ? ` · file ${index + 1} of ${files.length}` : ''}`, increment: pct - reported });
              reported = pct;
            },
          });
          return { analysis };
        } catch (err) {
          if (controller.signal.aborted) return { cancelled: true as const };
          return { error: `${displayName(current)}: ${ioReason(err)}` };
        } finally {
          for (const s of subs) s?.dispose();
        }
      },
    );
    if ('cancelled' in outcome) {
      this.log.info(`log analysis of ${label} cancelled`);
      void vscode.window.setStatusBarMessage(`Gateway Doctor: analysis of ${label} cancelled`, 5000);
      return { status: 'cancelled' };
    }
    if ('error' in outcome) {
      const message = `Gateway Doctor cannot analyze ${outcome.error}.`;
      void vscode.window.showErrorMessage(message);
      return { status: 'failed', message };
    }
    return this.finish({ key: files.slice().sort().join('\n'), files, analysis: outcome.analysis }, options);
  }

  /** An unsaved or untitled log: its text, in slices, with cancel. */
  private async analyzeDocument(doc: vscode.TextDocument, options: AnalyzeLogOptions): Promise<AnalyzeLogResult> {
    const name = doc.uri.scheme === 'untitled' ? doc.uri.path : doc.uri.fsPath;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Gateway Doctor: analyzing ${path.basename(name)}`, cancellable: true },
      async (_progress, token) => {
        const controller = new AbortController();
        const subs = [token.onCancellationRequested(() => controller.abort()), options.cancellation?.onCancellationRequested(() => controller.abort())];
        try {
          return await analyzeLinesInSlices((i) => doc.lineAt(i).text, doc.lineCount, name, { signal: controller.signal });
        } catch {
          return undefined;
        } finally {
          for (const s of subs) s?.dispose();
        }
      },
    );
    if (!outcome) return { status: 'cancelled' };
    return this.finish({ key: doc.uri.toString(), files: [name], analysis: outcome }, options);
  }

  private finish(run: LogRun, options: AnalyzeLogOptions): AnalyzeLogResult {
    const a = run.analysis;
    const lines = a.files.reduce((s, f) => s + f.lines, 0);
    this.log.info(`analyzed ${run.files.map(displayName).join(', ')}: ${a.events} failure event(s) in ${lines} line(s)`);
    this.runs.set(run);
    const result: AnalyzeLogResult = { status: 'done', analysis: a };
    if (options.showReport !== false) result.reportHtml = this.showReport(run);
    if (a.events === 0) void vscode.window.showInformationMessage(`Gateway Doctor: no failure lines found in ${lines.toLocaleString('en-US')} lines of ${run.files.map(displayName).join(', ')}.`);
    return result;
  }

  /** Opens (or refreshes) the run's report; returns the page's HTML. */
  showReport(run: LogRun): string | undefined {
    const key = reportKey(run);
    const counts = this.configCounts();
    const title = run.files.length === 1 ? `Log report: ${path.basename(run.files[0])}` : `Log report: ${run.files.length} files`;
    const body = logsReportHtml({ analysis: run.analysis, displayName, configFindings: counts });
    const panel = this.reports.show(key, { title, body, styles: ['logs-report.css'] }, (m) => this.onMessage(run, m));
    if (this.rendered.get(key)?.panel !== panel) {
      // A report brought back into view catches up with findings that changed while it was hidden.
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) this.refreshOpenReports();
      });
    }
    this.rendered.set(key, { panel, counts: JSON.stringify(counts) });
    return this.reports.htmlOf(key);
  }

  /** Open Log Report: the node's run, else the newest (or a pick when there are several). */
  async openReport(runKey?: string): Promise<string | undefined> {
    let run = runKey ? this.runs.get(runKey) : undefined;
    if (!run) {
      const all = this.runs.list();
      if (all.length > 1) {
        const pick = await vscode.window.showQuickPick(
          all.map((r) => ({ label: r.files.map((f) => path.basename(f)).join(', '), description: `${r.analysis.events} events`, run: r })),
          { title: 'Gateway Doctor: Open Log Report' },
        );
        run = pick?.run;
      } else run = all[0];
    }
    if (!run) {
      void vscode.window.showInformationMessage('Gateway Doctor: no log analysed yet. Run Analyze Log File… first.');
      return undefined;
    }
    return this.showReport(run);
  }

  clear(runKey?: string): void {
    if (runKey) this.runs.delete(runKey);
    else this.runs.clear();
  }

  /** Config findings of one cause in the workspace (what the log cause links to), in file order. */
  configFindingsOf(cause: CauseId): Finding[] {
    const out: Finding[] = [];
    for (const [, entry] of this.model.entries()) out.push(...entry.findings.filter((f) => f.cause === cause));
    return out.sort((a, b) => (a.file === b.file ? a.range.start.line - b.range.start.line : a.file < b.file ? -1 : 1));
  }

  private configCounts(): CauseCounts {
    const counts: CauseCounts = {};
    for (const [, entry] of this.model.entries()) for (const f of entry.findings) counts[f.cause] = (counts[f.cause] ?? 0) + 1;
    return counts;
  }

  /** The "Show config findings" buttons follow the workspace; only a report in view is redrawn (show() reveals). */
  private refreshOpenReports(): void {
    if (!this.rendered.size) return;
    const now = JSON.stringify(this.configCounts());
    for (const run of this.runs.list()) {
      const key = reportKey(run);
      const r = this.rendered.get(key);
      if (!r) continue;
      if (!this.reports.isOpen(key)) this.rendered.delete(key);
      else if (r.panel.visible && r.counts !== now) this.showReport(run);
    }
  }

  private async onMessage(run: LogRun, m: ReportMessage): Promise<void> {
    if (m.command === 'openLine' && m.arg) {
      const target = parseLineArg(m.arg);
      // The page may only open lines of the files it reports on.
      if (target && run.files.includes(target.file)) await openLogLine(target.file, target.line);
      return;
    }
    if (m.command === 'showConfigFindings' && m.arg && isCauseId(m.arg)) await this.showConfigFindings(m.arg);
  }

  /** The config findings of a cause: the one, or a pick among several; the Findings view is shown too. */
  async showConfigFindings(cause: CauseId): Promise<void> {
    const findings = this.configFindingsOf(cause);
    if (!findings.length) {
      void vscode.window.showInformationMessage(`Gateway Doctor: no config findings of cause ${CAUSE_TITLES[cause]} in this workspace. Inspect Workspace Configs looks at every config.`);
      return;
    }
    await vscode.commands.executeCommand('gatewayDoctor.findings.focus');
    if (findings.length === 1) return revealFinding(findings[0]);
    const pick = await vscode.window.showQuickPick(
      findings.map((f) => ({ label: f.message.split(/(?<=[.:])\s/)[0], description: `${f.ruleId} · ${vscode.workspace.asRelativePath(f.file)}:${f.range.start.line + 1}`, finding: f })),
      { title: `Config findings: ${CAUSE_TITLES[cause]}`, matchOnDescription: true },
    );
    if (pick) await revealFinding(pick.finding);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

/** Registers the log commands and the decompressed-gzip document provider. */
export function registerLogCommands(analyzer: LogAnalyzer, gzipProvider: vscode.TextDocumentContentProvider): vscode.Disposable[] {
  const keyOf = (node: unknown) => (node && typeof node === 'object' && 'node' in node ? ((node as { node: { run?: LogRun } }).node.run?.key ?? undefined) : undefined);
  return [
    vscode.workspace.registerTextDocumentContentProvider(GZIP_LOG_SCHEME, gzipProvider),
    vscode.commands.registerCommand(ANALYZE_LOG_COMMAND, (target?: unknown, selection?: unknown, options?: AnalyzeLogOptions) => analyzer.run(target, selection, options)),
    vscode.commands.registerCommand('gatewayDoctor.logs.openReport', (node?: unknown) => analyzer.openReport(keyOf(node))),
    vscode.commands.registerCommand('gatewayDoctor.logs.clear', (node?: unknown) => analyzer.clear(keyOf(node))),
    vscode.commands.registerCommand(OPEN_LOG_LINE_COMMAND, (file: string, line: number) => openLogLine(file, line)),
  ];
}

function reportKey(run: LogRun): string {
  return `log:${run.key}`;
}

function mb(bytes: number): string {
  return bytes < 1048576 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** Workspace-relative where possible: what the user recognises. */
export function displayName(file: string): string {
  return vscode.workspace.asRelativePath(file, false);
}

async function targetOf(target: unknown, selection: unknown): Promise<Target | undefined> {
  const many = Array.isArray(selection) && selection.length > 1 ? selection : Array.isArray(target) ? target : target !== undefined && target !== null ? [target] : [];
  const files: string[] = [];
  for (const t of many) {
    if (t instanceof vscode.Uri) {
      if (t.scheme === 'file') files.push(t.fsPath);
      else {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.toString());
        if (doc) return documentTarget(doc);
      }
    } else if (typeof t === 'string' && t) {
      const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      files.push(path.resolve(base, t));
    }
  }
  return files.length ? { kind: 'files', files } : undefined;
}

/** Unsaved text is analysed as shown; a saved file is streamed from disk (the same lines, less memory). */
function documentTarget(doc: vscode.TextDocument): Target {
  if (doc.uri.scheme === 'file' && !doc.isDirty) return { kind: 'files', files: [doc.uri.fsPath] };
  if (doc.uri.scheme === GZIP_LOG_SCHEME) return { kind: 'files', files: [doc.uri.path] };
  return { kind: 'document', doc };
}
