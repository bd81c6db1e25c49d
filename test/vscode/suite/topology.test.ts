// In the editor: a cross-layer finding (nginx's upstream keep-alive outliving gunicorn's) sits on the nginx
// line with gunicorn's setting as related information; its quick fix edits the other file, and editing
// gunicorn.conf.py (saved or not) updates the nginx file's diagnostics.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, applyAction, codeActionsAt, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const RACE = 'topology/upstream-keepalive-outlives-app';

describe('cross-layer findings in the editor', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('shows the keep-alive race on the nginx line, naming gunicorn\'s setting', async () => {
    const uri = workspaceUri('stack/nginx.conf');
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === RACE), `a ${RACE} diagnostic`);
    const [d] = ours(uri, RACE);
    assert.strictEqual(d.range.start.line, 8, 'on the `keepalive 8;` line (9)');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /closes an idle connection after 2 s/);
    const rel = d.relatedInformation ?? [];
    assert.ok(rel.some((r) => r.location.uri.fsPath.endsWith('gunicorn.conf.py') && r.location.range.start.line === 4), `related: ${rel.map((r) => `${r.location.uri.fsPath}:${r.location.range.start.line}`).join(', ')}`);
  });

  it('the quick fix raises gunicorn\'s keepalive in the other file, and the finding goes away', async () => {
    const uri = workspaceUri('stack/nginx.conf');
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === RACE), `a ${RACE} diagnostic`);
    const [d] = ours(uri, RACE);
    const actions = await codeActionsAt(uri, d.range);
    const fix = actions.find((a) => /Raise gunicorn's keepalive to 65 s/.test(a.title));
    assert.ok(fix, `fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(actions.some((a) => /keepalive_timeout to 1s/.test(a.title)), 'the nginx-side fix is offered too');
    await applyAction(fix);
    const gunicorn = vscode.workspace.textDocuments.find((t) => t.uri.fsPath.endsWith('stack/gunicorn.conf.py'));
    assert.ok(gunicorn, 'gunicorn.conf.py was edited');
    assert.match(gunicorn.getText(), /^keepalive = 65$/m);
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === RACE), `the ${RACE} diagnostic to go away`);
  });

  it('typing in gunicorn.conf.py brings the finding back, without saving', async () => {
    const uri = workspaceUri('stack/nginx.conf');
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === RACE), `a ${RACE} diagnostic`);
    const app = await vscode.workspace.openTextDocument(workspaceUri('stack/gunicorn.conf.py'));
    const line = app.getText().split('\n').findIndex((l) => l.startsWith('keepalive'));
    const raise = new vscode.WorkspaceEdit();
    raise.replace(app.uri, new vscode.Range(line, 0, line, app.lineAt(line).text.length), 'keepalive = 90');
    await vscode.workspace.applyEdit(raise);
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === RACE), 'the finding to go once gunicorn keeps connections longer');
    const lower = new vscode.WorkspaceEdit();
    lower.replace(app.uri, new vscode.Range(line, 0, line, app.lineAt(line).text.length), 'keepalive = 5');
    await vscode.workspace.applyEdit(lower);
    await waitForDiagnostics(uri, (ds) => ours(uri, RACE).some((x) => /after 5 s/.test(x.message)) || ds.some((x) => ruleOf(x) === RACE && /after 5 s/.test(x.message)), 'the finding back, with 5 s');
    assert.ok(app.isDirty, 'never saved');
  });
});
