// Core data → VS Code objects. The core's positions are 0-based UTF-16 like VS Code's, so this is 1:1.
import * as vscode from 'vscode';
import { Finding, Range, Severity, TextEdit, docsUrl } from '../core/finding';

export const DIAGNOSTIC_SOURCE = 'Gateway Doctor';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, toSeverity(f.severity));
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: f.ruleId, target: vscode.Uri.parse(docsUrl(f.ruleId)) };
  if (f.related.length) {
    d.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)), r.message));
  }
  return d;
}

/** All edits of one or more fixes as one WorkspaceEdit, across as many files as they touch. */
export function toWorkspaceEdit(edits: TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(vscode.Uri.file(e.file), toRange(e.range), e.newText);
  return we;
}

/** The diagnostic a finding was published as (VS Code hands back copies, so match by content). */
export function findingFor(findings: Finding[], d: vscode.Diagnostic): Finding | undefined {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return findings.find((f) => f.ruleId === code && f.message === d.message && toRange(f.range).isEqual(d.range));
}
