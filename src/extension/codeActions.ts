// Quick fixes from the findings' fixes (plain edits computed by the core), only while the documents
// they were computed on are unchanged; plus "fix all of this rule", "learn more" and source.fixAll.
import * as vscode from 'vscode';
import { Finding, Fix, TextEdit } from '../core/finding';
import { nonOverlappingFixes } from '../core/fixes';
import { DIAGNOSTIC_SOURCE, findingFor, toWorkspaceEdit } from './convert';
import { FindingsModel } from './findingsModel';
import { stillCurrent } from './documents';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('gatewayDoctor');
export const OPEN_RULE_DOCS_COMMAND = 'gatewayDoctor.openRuleDocs';

export class FixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly model: FindingsModel) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const file = doc.uri.fsPath;
    const entry = this.model.get(file);
    if (!entry) return [];
    // Fixes computed on an older text would land in the wrong place: offer none until the next lint.
    const usable = (fix: Fix) => stillCurrent(entry.versions, new Set(fix.edits.map((e) => e.file)));

    if (context.only && (context.only.contains(FIX_ALL_KIND) || FIX_ALL_KIND.contains(context.only))) {
      const fixes = localFixes(entry.findings, file).filter(usable);
      if (!fixes.length) return [];
      const action = new vscode.CodeAction('Fix all Gateway Doctor problems in this file', FIX_ALL_KIND);
      action.edit = toWorkspaceEdit(nonOverlapping(fixes));
      return [action];
    }

    const actions: vscode.CodeAction[] = [];
    const learnMore = new Set<string>();
    for (const diag of context.diagnostics) {
      if (diag.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = findingFor(entry.findings, diag);
      if (!finding) continue;
      finding.fixes.filter(usable).forEach((fix, i) => {
        const a = new vscode.CodeAction(`Fix: ${fix.title}`, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [diag];
        a.isPreferred = i === 0;
        a.edit = toWorkspaceEdit(fix.edits);
        actions.push(a);
      });
      const sameRule = localFixes(entry.findings.filter((f) => f.ruleId === finding.ruleId), file).filter(usable);
      if (sameRule.length > 1) {
        const a = new vscode.CodeAction(`Fix all ${finding.ruleId} problems in this file`, vscode.CodeActionKind.QuickFix);
        a.edit = toWorkspaceEdit(nonOverlapping(sameRule));
        actions.push(a);
      }
      if (!learnMore.has(finding.ruleId)) {
        learnMore.add(finding.ruleId);
        const a = new vscode.CodeAction(`Learn more about ${finding.ruleId}`, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [diag];
        a.command = { command: OPEN_RULE_DOCS_COMMAND, title: 'Learn more', arguments: [finding.ruleId] };
        actions.push(a);
      }
    }
    return actions;
  }
}

/** First fix of each finding, when all its edits stay in `file` (fix-all never edits other files). */
function localFixes(findings: Finding[], file: string): Fix[] {
  const out: Fix[] = [];
  for (const f of findings) {
    const fix = f.fixes[0];
    if (fix && fix.edits.length && fix.edits.every((e) => e.file === file)) out.push(fix);
  }
  return out;
}

/** Whole fixes whose edits do not touch an earlier chosen fix's edits (the next lint offers the rest). */
export function nonOverlapping(fixes: Fix[]): TextEdit[] {
  return nonOverlappingFixes(fixes.map((f) => f.edits)).edits;
}
