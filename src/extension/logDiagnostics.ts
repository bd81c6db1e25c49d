// Diagnostics on the failure lines of log documents open in a tab (gatewayDoctor.logs.analyzeOpenLogs):
// debounced per document, classified in slices so a big log never blocks the extension host, a newer request aborts
// the older one, capped at gatewayDoctor.logs.maxDiagnostics per file with one note saying how many more
// there are, and cleared when its last tab closes.
import * as vscode from 'vscode';
import { CAUSE_TITLES, Severity } from '../core/finding';
import type { LogAnalysis, LogFinding } from '../core/logs/analyze';
import { analyzeLinesInSlices, firstFindingsPerCause } from '../core/logs/editorAnalysis';
import { isLogDocument } from './logDocuments';
import { SECTION, readSettings } from './settings';

export const LOG_DIAGNOSTICS = 'gateway-doctor-logs';
const SOURCE = 'Gateway Doctor';

export interface LogDiagnosticSettings {
  enabled: boolean;
  maxDiagnostics: number;
}

export function readLogDiagnosticSettings(): LogDiagnosticSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    enabled: c.get<boolean>('logs.analyzeOpenLogs', true),
    maxDiagnostics: Math.max(0, Math.floor(c.get<number>('logs.maxDiagnostics', 500))),
  };
}

export class LogDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(LOG_DIAGNOSTICS);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The analysis under way per document; a newer request aborts it. */
  private readonly running = new Map<string, AbortController>();
  /** The document version whose marks are shown, per document. */
  private readonly analyzed = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document, readSettings(e.document.uri).debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      // Marks follow the tabs: a log shown in a tab is classified, closing its last tab clears it at once
      // (the document itself may stay loaded for minutes; logs only loaded by an extension stay quiet).
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of [...e.opened, ...e.changed]) {
          const doc = documentOf(tab);
          const key = doc?.uri.toString() ?? '';
          if (doc && this.analyzed.get(key) !== doc.version && !this.running.has(key) && !this.timers.has(key)) this.schedule(doc, 0);
        }
        for (const tab of e.closed) {
          const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
          if (uri && !isInTab(uri)) this.forget(uri);
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.logs`)) this.analyzeOpenDocuments();
      }),
    );
  }

  /** (Re-)analyses every open log document, or clears everything when the setting is off. */
  analyzeOpenDocuments(): void {
    if (!readLogDiagnosticSettings().enabled) {
      for (const key of [...this.timers.keys(), ...this.running.keys()]) this.cancel(key);
      this.analyzed.clear();
      this.collection.clear();
      return;
    }
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    if (!readLogDiagnosticSettings().enabled || !isInTab(doc.uri) || !isLogDocument(doc)) {
      if (this.collection.has(doc.uri) || this.running.has(key)) this.forget(doc.uri);
      return;
    }
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.analyze(doc);
      }, delayMs),
    );
  }

  private async analyze(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const controller = new AbortController();
    this.running.set(key, controller);
    const version = doc.version;
    const { maxDiagnostics } = readLogDiagnosticSettings();
    const started = Date.now();
    let analysis: LogAnalysis;
    try {
      analysis = await analyzeLinesInSlices((i) => doc.lineAt(i).text, doc.lineCount, doc.uri.fsPath, {
        signal: controller.signal,
        // Enough stored per cause that the cap can be filled by any one cause.
        maxFindingsPerCause: Math.max(1, maxDiagnostics),
      });
    } catch (err) {
      // Aborted, or the document changed or closed under the slices: a newer request follows.
      if (!controller.signal.aborted && !doc.isClosed && doc.version === version) this.log.error(`classifying ${doc.uri.toString(true)} failed: ${(err as Error)?.stack ?? err}`);
      return;
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
    if (controller.signal.aborted || doc.isClosed || doc.version !== version) return;
    const diagnostics = logDiagnostics(analysis, doc, maxDiagnostics);
    this.log.debug(`log ${vscode.workspace.asRelativePath(doc.uri)}: ${analysis.events} failure line(s) in ${doc.lineCount} lines, ${diagnostics.length} diagnostic(s), ${Date.now() - started} ms`);
    this.analyzed.set(key, version);
    if (diagnostics.length) this.collection.set(doc.uri, diagnostics);
    else this.collection.delete(doc.uri);
  }

  private cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.running.get(key)?.abort();
    this.running.delete(key);
  }

  private forget(uri: vscode.Uri): void {
    this.cancel(uri.toString());
    this.analyzed.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const key of [...this.timers.keys(), ...this.running.keys()]) this.cancel(key);
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

function isInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
}

function documentOf(tab: vscode.Tab): vscode.TextDocument | undefined {
  if (!(tab.input instanceof vscode.TabInputText)) return undefined;
  const key = tab.input.uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The marked failure lines (first ones of each cause, at most `max`) and, past the cap, one note at line 1. */
export function logDiagnostics(analysis: LogAnalysis, doc: vscode.TextDocument, max: number): vscode.Diagnostic[] {
  const marked = firstFindingsPerCause(analysis.findings, max);
  const out = marked.filter((f) => f.line <= doc.lineCount).map((f) => toDiagnostic(f, doc));
  const more = analysis.events - out.length;
  if (more > 0 && max > 0) {
    const d = new vscode.Diagnostic(
      doc.lineAt(0).range,
      `${more.toLocaleString('en-US')} more failure line${more === 1 ? ' is' : 's are'} not marked: gatewayDoctor.logs.maxDiagnostics (${max}) marks the first lines of each cause. ` +
        `This log has ${analysis.events.toLocaleString('en-US')} in all; Analyze Log File… counts and charts every one.`,
      vscode.DiagnosticSeverity.Information,
    );
    d.source = SOURCE;
    out.unshift(d);
  }
  return out;
}

function toDiagnostic(f: LogFinding, doc: vscode.TextDocument): vscode.Diagnostic {
  const line = doc.lineAt(f.line - 1);
  const range = new vscode.Range(f.line - 1, line.firstNonWhitespaceCharacterIndex, f.line - 1, line.range.end.character);
  const extra = [f.code ? `[${f.code}]` : '', f.upstream ? `upstream ${f.upstream}` : ''].filter(Boolean).join(' ');
  const d = new vscode.Diagnostic(range, `${CAUSE_TITLES[f.cause]}: ${f.message}${extra ? ` (${extra})` : ''}`, SEVERITY[f.severity]);
  d.source = SOURCE;
  d.code = f.cause;
  return d;
}
