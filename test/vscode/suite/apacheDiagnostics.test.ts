// In the editor: an Apache httpd site (workspace/apache2/sites-enabled/shop.conf, a folder nginx uses too)
// is recognised by its content and linted inside the apache2.conf that includes it (its balancer is defined
// there, so no unknown-balancer); its findings come as diagnostics linked to the rule's docs, the quick fix
// adds SSLProxyEngine until the error is gone, hover explains a ProxyPass, and Inspect puts the findings in
// the Findings view.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { FindingsNode } from '../../../src/extension/findingsTree';
import { EXTENSION_ID, activateExtension, applyAction, codeActionsAt, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const ENGINE = 'apache/https-backend-without-ssl-proxy-engine';
const SLASH = 'apache/proxypass-trailing-slash-mismatch';
const SITE = 'apache2/sites-enabled/shop.conf';

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

describe('Apache diagnostics and quick fixes', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('apache2.conf opens with the apacheconf language', async () => {
    const editor = await openInEditor(workspaceUri('apache2/apache2.conf'));
    assert.strictEqual(editor.document.languageId, 'apacheconf');
  });

  it('a sites-enabled vhost gets its Apache findings, read in the context of apache2.conf', async () => {
    const uri = workspaceUri(SITE);
    const editor = await openInEditor(uri);
    const ds = await waitForDiagnostics(uri, (x) => x.some((d) => ruleOf(d) === ENGINE) && x.some((d) => ruleOf(d) === SLASH), `the ${ENGINE} and ${SLASH} diagnostics`);
    assert.deepStrictEqual(ds.map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`).sort(), [`5 ${ENGINE}`, `7 ${SLASH}`], 'the balancer defined in apache2.conf is known: no unknown-balancer');
    const [engine] = ours(uri, ENGINE);
    assert.strictEqual(editor.document.getText(engine.range), 'https://payments.example/', 'the range is exactly the URL');
    assert.strictEqual(engine.severity, vscode.DiagnosticSeverity.Error);
    assert.match(engine.message, /AH00961/);
    assert.ok(typeof engine.code === 'object' && engine.code.target instanceof vscode.Uri);
    assert.match(engine.code.target.toString(), /apache-https-backend-without-ssl-proxy-engine\.md$/);
  });

  it('hover on a ProxyPass shows where requests go and the settings in effect, with where each comes from', async () => {
    const uri = workspaceUri(SITE);
    await openInEditor(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(4, 6));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /\*\*ProxyPass\*\* in &lt;VirtualHost \*:80> \(shop\.example\)/, text);
    assert.match(text, /A request for `\/pay\/x` goes to `https:\/\/payments\.example\/x`/, text);
    assert.match(text, /\| timeout \| 60 s \| no `ProxyTimeout` or `Timeout`/, text);
    assert.match(text, /\| SSLProxyEngine \| — \| \*\*off: requests to this https backend fail with 500 \(AH00961\)\*\* \|/, text);
    assert.match(text, /\| ProxyPassReverse \| `\/pay\/ https:\/\/payments\.example\/` \| \[apache2\/sites-enabled\/shop\.conf:6\]/, text);
  });

  it('the quick fix adds `SSLProxyEngine on` to the vhost and the error goes away', async () => {
    const uri = workspaceUri(SITE);
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (x) => x.some((d) => ruleOf(d) === ENGINE), `a ${ENGINE} diagnostic`);
    const [engine] = ours(uri, ENGINE);
    const actions = await codeActionsAt(uri, engine.range);
    const fix = actions.find((a) => a.title === 'Fix: Add `SSLProxyEngine on`');
    assert.ok(fix, `quick fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(actions.some((a) => a.title === `Learn more about ${ENGINE}`));
    await applyAction(fix);
    assert.strictEqual(editor.document.lineAt(4).text, '    SSLProxyEngine on');
    assert.strictEqual(editor.document.lineAt(5).text, '    ProxyPass /pay/ https://payments.example/');
    await waitForDiagnostics(uri, (x) => !x.some((d) => ruleOf(d) === ENGINE) && x.some((d) => ruleOf(d) === SLASH), `the ${ENGINE} diagnostic to go away (and ${SLASH} to stay)`);
  });

  it('Inspect Workspace Configs puts the Apache findings in the Findings view; Apply Fix there fixes the slash', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = workspaceUri(SITE);
    const seen = waitForDiagnostics(uri, (x) => x.some((d) => ruleOf(d) === ENGINE), `${ENGINE} from the scan of a file that is not open`);
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    await seen;
    const rows = treeRows();
    const row = (rule: string) => rows.find((r) => r.node.kind === 'finding' && r.node.finding.ruleId === rule && r.node.finding.file === uri.fsPath);
    const engine = row(ENGINE);
    assert.ok(engine, `a row for ${ENGINE}; rows: ${rows.map((r) => r.item.description).join(' | ')}`);
    assert.strictEqual(engine.item.description, `${ENGINE} · shop.conf:5`);
    const tls = rows.find((r) => r.node.kind === 'cause' && r.node.cause === 'tls');
    assert.ok(tls && tls.node.kind === 'cause' && tls.node.findings.some((f) => f.ruleId === ENGINE), 'grouped under TLS to the upstream');
    const slash = row(SLASH);
    assert.ok(slash, `a row for ${SLASH}`);
    assert.strictEqual(slash.item.contextValue, 'finding.fixable');
    const gone = waitForDiagnostics(uri, (x) => !x.some((d) => ruleOf(d) === SLASH) && x.some((d) => ruleOf(d) === ENGINE), `${SLASH} to go away after Apply Fix`);
    await vscode.commands.executeCommand('gatewayDoctor.findings.applyFix', slash.node);
    await gone;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(doc && doc.lineAt(6).text === '    ProxyPass /shop/ http://127.0.0.1:9005/shop/', `the URL got its slash: ${doc?.lineAt(6).text}`);
  });
});
