// In the editor: a Caddyfile (workspace/caddy/Caddyfile) gets the caddyfile language (the official Caddy
// extension's id), its findings as diagnostics linked to the rule's docs, a quick fix that changes the text
// until the finding is gone, and its findings in the Findings view after Inspect Workspace Configs.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { FindingsNode } from '../../../src/extension/findingsTree';
import { EXTENSION_ID, activateExtension, applyAction, codeActionsAt, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const HEALTH = 'caddy/upstreams-without-health-checks';
const HOST = 'caddy/https-upstream-keeps-client-host';

const api = () => vscode.extensions.getExtension(EXTENSION_ID)!.exports as GatewayDoctorApi;

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

describe('Caddyfile diagnostics and quick fixes', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('a Caddyfile opens as caddyfile and shows its findings with the rule id linked to its docs', async () => {
    const uri = workspaceUri('caddy/Caddyfile');
    const editor = await openInEditor(uri);
    assert.strictEqual(editor.document.languageId, 'caddyfile');
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === HEALTH) && ds.some((x) => ruleOf(x) === HOST), `the ${HEALTH} and ${HOST} diagnostics`);
    const [health] = ours(uri, HEALTH);
    assert.strictEqual(health.range.start.line, 9, 'on the `reverse_proxy 127.0.0.1:9001 127.0.0.1:9002` line (10)');
    assert.strictEqual(editor.document.getText(health.range), 'reverse_proxy 127.0.0.1:9001 127.0.0.1:9002', 'the range is the directive and its upstreams');
    assert.strictEqual(health.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(typeof health.code === 'object' && health.code.target instanceof vscode.Uri);
    assert.match(health.code.target.toString(), /caddy-upstreams-without-health-checks\.md$/);
    const [host] = ours(uri, HOST);
    assert.strictEqual(editor.document.getText(host.range), 'https://assets.example.net', 'the range is exactly the upstream');
  });

  it('the lb_try_duration quick fix opens a block under reverse_proxy and the warning goes away', async () => {
    const uri = workspaceUri('caddy/Caddyfile');
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === HEALTH), `a ${HEALTH} diagnostic`);
    const [health] = ours(uri, HEALTH);
    const actions = await codeActionsAt(uri, health.range);
    const fix = actions.find((a) => a.title.startsWith('Fix: Retry another upstream for up to 5s'));
    assert.ok(fix, `quick fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(actions.some((a) => a.title === `Learn more about ${HEALTH}`));
    await applyAction(fix);
    assert.strictEqual(editor.document.lineAt(9).text, '\t\treverse_proxy 127.0.0.1:9001 127.0.0.1:9002 {');
    assert.strictEqual(editor.document.lineAt(10).text, '\t\t\tlb_try_duration 5s');
    assert.strictEqual(editor.document.lineAt(11).text, '\t\t}');
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === HEALTH) && ds.some((x) => ruleOf(x) === HOST), `the ${HEALTH} diagnostic to go away (and ${HOST} to stay)`);
  });

  it('Inspect Workspace Configs puts the Caddy findings in the Findings view, and Apply Fix edits the file', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = workspaceUri('caddy/Caddyfile');
    const seen = waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === HOST), `${HOST} from the scan of a file that is not open`);
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    await seen;
    const rows = treeRows();
    const row = (rule: string) => rows.find((r) => r.node.kind === 'finding' && r.node.finding.ruleId === rule && r.node.finding.file === uri.fsPath);
    const host = row(HOST);
    assert.ok(host, `a row for ${HOST}; rows: ${rows.map((r) => r.item.description).join(' | ')}`);
    assert.strictEqual(host.item.description, `${HOST} · Caddyfile:14`);
    assert.strictEqual(host.item.contextValue, 'finding.fixable', 'the row offers Apply Fix');
    const routing = rows.find((r) => r.node.kind === 'cause' && r.node.cause === 'routing');
    assert.ok(routing && routing.node.kind === 'cause' && routing.node.findings.some((f) => f.ruleId === HOST), 'grouped under Routing');
    const health = row(HEALTH);
    assert.ok(health, `a row for ${HEALTH}`);
    const gone = waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === HOST) && ds.some((x) => ruleOf(x) === HEALTH), `${HOST} to go away after Apply Fix`);
    await vscode.commands.executeCommand('gatewayDoctor.findings.applyFix', host.node);
    await gone;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(doc, 'Apply Fix opened the file');
    assert.strictEqual(doc.lineAt(13).text, '\t\treverse_proxy https://assets.example.net {');
    assert.strictEqual(doc.lineAt(14).text, '\t\t\theader_up Host {upstream_hostport}');
  });
});
