// "Export Report…": the Markdown incident report of what Gateway Doctor knows now — the probes run this
// session, the log files analysed, and the workspace's config findings (an inspection is run first when
// none has been) — opened as an untitled Markdown document the user edits and saves where they like.
import * as path from 'path';
import * as vscode from 'vscode';
import type { Finding } from '../core/finding';
import type { LogAnalysis } from '../core/logs/analyze';
import type { ProbeReport } from '../core/probe/types';
import { incidentMarkdown } from '../core/report/markdown';
import { FindingsModel } from './findingsModel';

/** Where the report's probe results and log analyses come from (the features that made them). */
export interface ReportSources {
  probes(): ProbeReport[];
  logs(): LogAnalysis[];
}

export class ReportExporter {
  private readonly sources: ReportSources[] = [];

  constructor(
    private readonly model: FindingsModel,
    private readonly inspect: () => Promise<void>,
    private readonly hasInspected: () => boolean,
  ) {}

  /** Features register what they hold; the report asks them when it is made. */
  addSource(source: ReportSources): vscode.Disposable {
    this.sources.push(source);
    return new vscode.Disposable(() => {
      const i = this.sources.indexOf(source);
      if (i >= 0) this.sources.splice(i, 1);
    });
  }

  /** Makes the report and opens it; resolves with the document (tests read it). */
  async run(): Promise<vscode.TextDocument> {
    if (!this.hasInspected() && vscode.workspace.workspaceFolders?.length) await this.inspect();
    const findings: Finding[] = [];
    for (const [, entry] of this.model.entries()) findings.push(...entry.findings);
    const md = incidentMarkdown({
      generatedAt: new Date().toISOString(),
      workspace: vscode.workspace.name,
      findings,
      probes: this.sources.flatMap((s) => s.probes()),
      logs: this.sources.flatMap((s) => s.logs()),
      displayPath: (file) => (path.isAbsolute(file) ? vscode.workspace.asRelativePath(file) : file),
    });
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: md });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }
}
