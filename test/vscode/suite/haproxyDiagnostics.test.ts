// In the editor: an HAProxy config (workspace/haproxy/haproxy.cfg) gets the haproxy language, its findings
// as diagnostics linked to the rule's docs, quick fixes that change the text until the finding is gone,
// and its findings in the Findings view after Inspect Workspace Configs.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { FindingsNode } from '../../../src/extension/findingsTree';
import { EXTENSION_ID, activateExtension, applyAction, codeActionsAt, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const UNKNOWN = 'haproxy/unknown-backend';
const CHECK = 'haproxy/servers-without-check';

const api = () => vscode.extensions.getExtension(EXTENSION_ID)!.exports as GatewayDoctorApi;

/** Every row of the Findings view as VS Code would ask for them, depth first. */
function treeRows(): { node: FindingsNode; item: vscode.TreeItem }[] {
  const tree = api().findingsTree;
  const out: { node: FindingsNode; item: vscode.TreeItem }[] = [];
  const walk = (nodes: FindingsNode[]) => {
    for (const n of nodes) {
      out.push({ node: n, item: tree.getTreeItem(n) });
      if (n.kind === 'cause' || n.kind === 'file') walk(tree.getChildren(n));
    }
  };
  walk(tree.getChildren());
  return out;
}

describe('HAProxy diagnostics and quick fixes', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('an haproxy.cfg opens as HAProxy and shows its findings with the rule id linked to its docs', async () => {
    const uri = workspaceUri('haproxy/haproxy.cfg');
    const editor = await openInEditor(uri);
    assert.strictEqual(editor.document.languageId, 'haproxy');
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === UNKNOWN) && ds.some((x) => ruleOf(x) === CHECK), `the ${UNKNOWN} and ${CHECK} diagnostics`);
    const [unknown] = ours(uri, UNKNOWN);
    assert.strictEqual(unknown.range.start.line, 14, 'on the `default_backend shop_ap` line (15)');
    assert.strictEqual(editor.document.getText(unknown.range), 'shop_ap', 'the range is exactly the backend name');
    assert.strictEqual(unknown.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unknown.message, /did you mean 'shop_app'/);
    assert.ok(typeof unknown.code === 'object' && unknown.code.target instanceof vscode.Uri);
    assert.match(unknown.code.target.toString(), /haproxy-unknown-backend\.md$/);
    const [check] = ours(uri, CHECK);
    assert.strictEqual(check.range.start.line, 19, 'on `server shop2 …` (line 20)');
    assert.strictEqual(check.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('the near-miss quick fix renames the backend and the error goes away', async () => {
    const uri = workspaceUri('haproxy/haproxy.cfg');
    const editor = await openInEditor(uri);
    const [unknown] = await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === UNKNOWN), `a ${UNKNOWN} diagnostic`).then(() => ours(uri, UNKNOWN));
    const actions = await codeActionsAt(uri, unknown.range);
    const fix = actions.find((a) => a.title === "Fix: Use backend 'shop_app'");
    assert.ok(fix, `quick fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(actions.some((a) => a.title === `Learn more about ${UNKNOWN}`));
    await applyAction(fix);
    assert.strictEqual(editor.document.lineAt(14).text, '    default_backend shop_app');
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === UNKNOWN) && ds.some((x) => ruleOf(x) === CHECK), `the ${UNKNOWN} diagnostic to go away (and ${CHECK} to stay)`);
  });

  it('source.fixAll.gatewayDoctor adds `check` and renames the backend; nothing fixable is left', async () => {
    const uri = workspaceUri('haproxy/haproxy.cfg');
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === UNKNOWN) && ds.some((x) => ruleOf(x) === CHECK), 'both HAProxy diagnostics');
    const actions = await codeActionsAt(uri, new vscode.Range(0, 0, editor.document.lineCount, 0), 'source.fixAll.gatewayDoctor');
    assert.strictEqual(actions.length, 1, `one fix-all action; got: ${actions.map((a) => a.title).join(' | ')}`);
    await applyAction(actions[0]);
    assert.strictEqual(editor.document.lineAt(19).text, '    server shop2 127.0.0.1:9002 check');
    assert.strictEqual(editor.document.lineAt(14).text, '    default_backend shop_app');
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no diagnostics left');
  });

  it('Inspect Workspace Configs puts the HAProxy findings in the Findings view, under their causes', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = workspaceUri('haproxy/haproxy.cfg');
    const seen = waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === UNKNOWN), `${UNKNOWN} from the scan of a file that is not open`);
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    await seen;
    const rows = treeRows();
    const row = (rule: string) => rows.find((r) => r.node.kind === 'finding' && r.node.finding.ruleId === rule && r.node.finding.file === uri.fsPath);
    const unknown = row(UNKNOWN);
    assert.ok(unknown, `a row for ${UNKNOWN}; rows: ${rows.map((r) => r.item.description).join(' | ')}`);
    assert.strictEqual(unknown.item.description, `${UNKNOWN} · haproxy.cfg:15`);
    assert.strictEqual(unknown.item.contextValue, 'finding.fixable', 'the row offers Apply Fix');
    const routing = rows.find((r) => r.node.kind === 'cause' && r.node.cause === 'routing');
    assert.ok(routing && routing.node.kind === 'cause' && routing.node.findings.some((f) => f.ruleId === UNKNOWN), 'grouped under Routing');
    assert.ok(row(CHECK), `a row for ${CHECK}`);
    // Apply Fix from the view's context menu edits the file the finding is in.
    const opened = waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === CHECK) && ds.some((x) => ruleOf(x) === UNKNOWN), `${CHECK} to go away after Apply Fix`);
    await vscode.commands.executeCommand('gatewayDoctor.findings.applyFix', row(CHECK)!.node);
    await opened;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(doc && doc.lineAt(19).text.endsWith('127.0.0.1:9002 check'), 'the server line got `check`');
  });

  it('a file whose language is set to HAProxy by hand is linted as HAProxy, whatever its name', async () => {
    const uri = workspaceUri('lb/edge.txt');
    const editor = await openInEditor(uri);
    assert.deepStrictEqual(ours(uri), [], 'a .txt file is nobody’s config until its language says so');
    const doc = await vscode.languages.setTextDocumentLanguage(editor.document, 'haproxy');
    assert.strictEqual(doc.languageId, 'haproxy');
    const ds = await waitForDiagnostics(uri, (x) => x.some((d) => ruleOf(d) === 'haproxy/backend-without-servers'), 'haproxy/backend-without-servers');
    assert.deepStrictEqual(ds.map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`), ['14 haproxy/backend-without-servers']);
  });

  it('hover on a backend name shows its timeouts in effect and where each comes from', async () => {
    const uri = workspaceUri('haproxy/haproxy.cfg');
    await openInEditor(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(16, 10));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /\*\*backend 'shop_app'\*\*/, text);
    assert.match(text, /\| timeout server \| `30s` \| defaults, \[haproxy\/haproxy\.cfg:10\]/, text);
    assert.match(text, /\| timeout queue \| — \| same as `timeout connect` \|/, text);
  });
});
