// Helpers for tests that run inside the extension host: find the fixture files, wait on diagnostics
// events (never on the clock), leave the editor as the test found it.
import * as assert from 'assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'gateway-doctor.gateway-doctor';
export const SOURCE = 'Gateway Doctor';

export async function activateExtension(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  await ext.activate();
}

export function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the harness opens test/vscode/workspace)');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export function ruleOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** Gateway Doctor's diagnostics on `uri`, optionally of one rule. */
export function ours(uri: vscode.Uri, ruleId?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && (!ruleId || ruleOf(d) === ruleId));
}

function describeDiagnostics(uri: vscode.Uri): string {
  const ds = ours(uri);
  if (!ds.length) return '(none)';
  return ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${ruleOf(d)}`).join(', ');
}

/**
 * Resolves once `accept` holds for Gateway Doctor's diagnostics on `uri`: checked now, then on every
 * onDidChangeDiagnostics for that file, up to `timeoutMs`.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (ds: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 20000,
): Promise<vscode.Diagnostic[]> {
  const now = ours(uri);
  if (accept(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${vscode.workspace.asRelativePath(uri)}; it has: ${describeDiagnostics(uri)}`));
    }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const ds = ours(uri);
      if (!accept(ds)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(ds);
    });
  });
}

export async function openInEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Code actions VS Code would offer at `range` (optionally of one kind), as the lightbulb sees them. */
export async function codeActionsAt(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range, kind);
  return (actions ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

export async function applyAction(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `code action "${action.title}" has no edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `VS Code refused the edit of "${action.title}"`);
}

/** Throws away unsaved edits the tests made (the fixture on disk stays as it was) and closes the editors. */
export async function revertAll(): Promise<void> {
  // Only the fixture workspace's files, restored to their text on disk without focusing an editor
  // (showTextDocument races with editors the workbench opens itself, e.g. a settings.json it touched).
  const inWorkspace = (d: vscode.TextDocument) => d.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(d.uri) !== undefined;
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && inWorkspace(d))) {
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), onDisk);
    await vscode.workspace.applyEdit(edit);
    await doc.save();
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
