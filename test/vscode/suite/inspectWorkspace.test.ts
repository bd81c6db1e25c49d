// In the editor: "Inspect Workspace Configs" reads every config of the workspace (files never opened
// included) into the findings the Findings view shows, and opening a finding selects its line.
// The view's rows and the click itself are checked in the browser (test/vscode/harness/uiChecks.ts).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const SNI = 'nginx/https-upstream-without-sni';

describe('Inspect Workspace Configs', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('finds the problems of files that were never opened', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const partners = workspaceUri('conf.d/partners.conf');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === partners.toString()), 'partners.conf is not open');
    const seen = waitForDiagnostics(partners, (ds) => ds.filter((d) => ruleOf(d) === SNI).length === 2, `two ${SNI} findings from the scan`);
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    await seen;
    const app = workspaceUri('conf.d/app.conf');
    assert.ok(ours(app, SNI).length === 1, 'app.conf has its SNI finding too');
    assert.deepStrictEqual(ours(workspaceUri('nginx.conf'), SNI), [], 'findings sit in the file that has the directive, not in the root that includes it');
  });

  it('opening a finding (what a click in the view runs) shows its file with the line selected', async () => {
    const partners = workspaceUri('conf.d/partners.conf');
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    const [, second] = await waitForDiagnostics(partners, (ds) => ds.filter((d) => ruleOf(d) === SNI).length === 2, `two ${SNI} findings`).then(() =>
      ours(partners, SNI).sort((a, b) => a.range.start.line - b.range.start.line),
    );
    const finding = {
      file: partners.fsPath,
      ruleId: SNI,
      range: { start: { line: second.range.start.line, character: second.range.start.character }, end: { line: second.range.end.line, character: second.range.end.character } },
    };
    const opened = new Promise<vscode.TextEditor>((resolve) => {
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.uri.toString() === partners.toString()) {
          sub.dispose();
          resolve(e);
        }
      });
    });
    await vscode.commands.executeCommand('gatewayDoctor.findings.reveal', finding);
    const editor = vscode.window.activeTextEditor?.document.uri.toString() === partners.toString() ? vscode.window.activeTextEditor : await opened;
    assert.strictEqual(editor.selection.start.line, 9, 'the `proxy_pass https://stock.example.test;` line (10) is selected');
    assert.ok(editor.selection.isEqual(second.range), 'the selection is the finding’s range');
  });
});
