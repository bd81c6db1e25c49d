// In the editor: "Export Report…" opens a Markdown incident report made of what Gateway Doctor knows —
// here the workspace's config findings (the command inspects the workspace first when needed).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, revertAll } from './helpers';

describe('Export Report…', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('opens a Markdown report with the workspace config findings, paths relative to the workspace', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('gatewayDoctor.exportReport');
    assert.ok(doc, 'the command resolves with the report document');
    try {
      await checkReport(doc);
    } finally {
      // An untitled document with text is dirty: revert and close it so closing all editors never asks.
      if (vscode.window.activeTextEditor?.document !== doc) await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});

async function checkReport(doc: vscode.TextDocument): Promise<void> {
  assert.strictEqual(doc.languageId, 'markdown');
  assert.ok(doc.isUntitled, 'an untitled document: nothing is written to disk until the user saves');
  const text = doc.getText();
  assert.match(text, /^# 502 incident report/m);
  assert.match(text, /^## Config findings$/m);
  // The fixture workspace has two SNI findings in partners.conf (see inspectWorkspace.test.ts).
  const sniLines = text.split('\n').filter((l) => l.startsWith('- conf.d/partners.conf:') && l.includes('`nginx/https-upstream-without-sni`'));
  assert.strictEqual(sniLines.length, 2, `two SNI findings of partners.conf listed:\n${text}`);
  assert.strictEqual(vscode.window.activeTextEditor?.document, doc, 'the report is shown');
}
