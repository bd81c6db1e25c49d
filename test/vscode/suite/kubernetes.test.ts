// In the editor: a Kubernetes manifest (a plain .yaml, whatever extension owns the yaml language) shows
// the cross-object finding, and the near-miss quick fix names the Service that exists.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, applyAction, codeActionsAt, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const RULE = 'kubernetes/ingress-backend-unknown-service';

describe('Kubernetes manifests in the editor', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('an Ingress backend naming a Service that does not exist is an error on its line, with a near-miss fix', async () => {
    const uri = workspaceUri('k8s/shop.yaml');
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === RULE), `a ${RULE} diagnostic`);
    const [d] = ours(uri, RULE);
    assert.strictEqual(d.range.start.line, 14, 'on `name: shop-frontend` (line 15)');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /did you mean shop-fronted\?/);
    const actions = await codeActionsAt(uri, d.range);
    const fix = actions.find((a) => a.title === 'Fix: Use Service shop-fronted');
    assert.ok(fix, `fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    await applyAction(fix);
    assert.match(editor.document.lineAt(14).text, /^\s+name: shop-fronted$/);
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === RULE), 'the finding to go away');
  });

  it('no nginx hover on a YAML file', async () => {
    const uri = workspaceUri('k8s/shop.yaml');
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === RULE), `a ${RULE} diagnostic`);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(20, 3))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.ok(!/Effective here/.test(text), `an nginx hover on YAML: ${text}`);
  });
});
