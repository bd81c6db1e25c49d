// "Apply Fix" from the Findings tree. Tree findings may come from an inspection made before later edits,
// so the file is linted again now and the fix of the same finding, computed on the current text, applied.
import * as vscode from 'vscode';
import { Finding } from '../core/finding';
import { NodeFileHost } from '../core/host';
import { lintOneFile } from '../core/lint';
import { toWorkspaceEdit } from './convert';
import { languageKind, openDocument, snapshotOpenDocuments, stillCurrent } from './documents';
import { readSettings } from './settings';
import { ConfigIndex } from './workspaceIndex';

export async function applyFindingFix(stale: Finding, index: ConfigIndex, log: vscode.LogOutputChannel): Promise<void> {
  const settings = readSettings(vscode.Uri.file(stale.file));
  const snap = snapshotOpenDocuments(index);
  const doc = openDocument(stale.file);
  const fresh = lintOneFile(stale.file, index.list(), {
    host: new NodeFileHost(snap.overlay, settings.maxFileBytes),
    nginxVersion: settings.nginxVersion,
    disabledRules: settings.disabledRules,
    kind: doc && languageKind(doc),
    appServerFiles: index.appList(),
  });
  // The same finding: same rule and message, and (if lines moved) the nearest one of them.
  const same = fresh
    .filter((f) => f.ruleId === stale.ruleId && f.message === stale.message && f.fixes.length > 0)
    .sort((a, b) => Math.abs(a.range.start.line - stale.range.start.line) - Math.abs(b.range.start.line - stale.range.start.line))[0];
  if (!same) {
    void vscode.window.showInformationMessage(`Gateway Doctor: ${stale.ruleId} is no longer reported at this place, so there is nothing to fix. Inspect again to refresh the list.`);
    return;
  }
  const fix = same.fixes[0];
  if (!stillCurrent(snap.versions, new Set(fix.edits.map((e) => e.file)))) {
    void vscode.window.showInformationMessage('Gateway Doctor: the file changed while the fix was computed; try again.');
    return;
  }
  const ok = await vscode.workspace.applyEdit(toWorkspaceEdit(fix.edits));
  log.info(`apply fix "${fix.title}" (${same.ruleId}) to ${vscode.workspace.asRelativePath(same.file)}: ${ok ? 'applied' : 'refused by the editor'}`);
  if (!ok) void vscode.window.showWarningMessage(`Gateway Doctor: the editor did not apply "${fix.title}".`);
}
