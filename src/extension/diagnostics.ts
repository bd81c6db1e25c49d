// Live linting of open nginx, HAProxy, Apache and Caddy documents (debounced per document, stale results dropped by a generation
// counter) and the publisher that turns the findings model into the Problems panel's diagnostics.
import * as vscode from 'vscode';
import { NodeFileHost } from '../core/host';
import { lintOneFile } from '../core/lint';
import { toDiagnostic } from './convert';
import { FindingsModel } from './findingsModel';
import { isConfigDocument, languageKind, snapshotOpenDocuments } from './documents';
import { readSettings } from './settings';
import { ConfigIndex } from './workspaceIndex';

/** Mirrors the model into one DiagnosticCollection. */
export function publishDiagnostics(model: FindingsModel): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('gatewayDoctor');
  const sub = model.onDidChange((files) => {
    for (const file of files) {
      const entry = model.get(file);
      const uri = vscode.Uri.file(file);
      if (entry) collection.set(uri, entry.findings.map(toDiagnostic));
      else collection.delete(uri);
    }
  });
  return vscode.Disposable.from(sub, collection);
}

export class LiveLinter implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per document: bumped by every request, so a result computed for an older request is thrown away. */
  private readonly generations = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly model: FindingsModel,
    private readonly index: ConfigIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length) return;
        // Typing in an app server's config (gunicorn.conf.py …) changes the cross-layer findings of the nginx files.
        if (e.document.uri.scheme === 'file' && index.hasApp(e.document.uri.fsPath)) this.appChanged(readSettings(e.document.uri).debounceMs);
        else this.schedule(e.document, readSettings(e.document.uri).debounceMs);
      }),
      // Saving or closing one file changes what the files that include it (or it includes) read from disk.
      vscode.workspace.onDidSaveTextDocument((doc) => this.lintOpenDocuments(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.closed(doc)),
      index.onDidChange(() => this.lintOpenDocuments()),
    );
  }

  private appTimer: NodeJS.Timeout | undefined;

  private appChanged(delayMs: number): void {
    if (this.appTimer) clearTimeout(this.appTimer);
    this.appTimer = setTimeout(() => {
      this.appTimer = undefined;
      this.lintOpenDocuments();
    }, delayMs);
  }

  /** Lints every open config document (after a settings change, a save, or files appearing on disk). */
  lintOpenDocuments(except?: vscode.TextDocument): void {
    for (const doc of vscode.workspace.textDocuments) if (doc !== except) this.schedule(doc, 0);
  }

  schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!isConfigDocument(doc, this.index)) return;
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lint(doc);
      }, delayMs),
    );
  }

  private async lint(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, generation);
    // The first workspace scan may still run: without it a snippet would be linted out of context.
    await this.index.ready;
    if (this.generations.get(key) !== generation || doc.isClosed) return;

    const file = doc.uri.fsPath;
    const settings = readSettings(doc.uri);
    if (!settings.lintEnabled) {
      if (!this.model.wasInspected(file)) this.model.delete(file);
      return;
    }
    if (doc.getText().length > settings.maxFileBytes) {
      this.log.info(`not linting ${file}: larger than gatewayDoctor.maxFileSizeMB`);
      return;
    }
    try {
      const snap = snapshotOpenDocuments(this.index);
      const started = Date.now();
      const findings = lintOneFile(file, this.index.list(), {
        host: new NodeFileHost(snap.overlay, settings.maxFileBytes),
        nginxVersion: settings.nginxVersion,
        disabledRules: settings.disabledRules,
        kind: languageKind(doc),
        appServerFiles: this.index.appList(),
      });
      this.log.debug(`linted ${vscode.workspace.asRelativePath(file)} v${doc.version}: ${findings.length} finding(s) in ${Date.now() - started} ms`);
      this.model.set(file, { findings, versions: snap.versions });
    } catch (err) {
      this.log.error(`linting ${file} failed: ${(err as Error)?.stack ?? err}`);
    }
  }

  private closed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    if (doc.uri.scheme !== 'file') return;
    const file = doc.uri.fsPath;
    if (this.model.wasInspected(file)) void this.relintFromDisk(file);
    else this.model.delete(file);
    this.lintOpenDocuments(doc);
  }

  /** An inspected file whose editor closed keeps findings, recomputed from what is on disk now. */
  private async relintFromDisk(file: string): Promise<void> {
    const settings = readSettings(vscode.Uri.file(file));
    try {
      const snap = snapshotOpenDocuments(this.index);
      snap.overlay.delete(file);
      snap.versions.delete(file);
      const findings = lintOneFile(file, this.index.list(), { host: new NodeFileHost(snap.overlay, settings.maxFileBytes), nginxVersion: settings.nginxVersion, disabledRules: settings.disabledRules, appServerFiles: this.index.appList() });
      this.model.set(file, { findings, versions: snap.versions });
    } catch (err) {
      this.log.error(`re-reading ${file} failed: ${(err as Error)?.message ?? err}`);
    }
  }

  dispose(): void {
    if (this.appTimer) clearTimeout(this.appTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
