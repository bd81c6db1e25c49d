// In the editor: a bad nginx config shows its findings as diagnostics linked to the rule's docs, and
// the quick fixes, fix-all of a rule and source.fixAll change the text until the finding is gone.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, applyAction, codeActionsAt, countOf, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

const SNI = 'nginx/https-upstream-without-sni';
const BUFFER = 'nginx/buffer-size-below-default';

describe('nginx diagnostics and quick fixes', () => {
  before(activateExtension);
  afterEach(revertAll);

  it('shows the findings of a bad config with the rule id linked to its docs', async () => {
    const uri = workspaceUri('conf.d/app.conf');
    await openInEditor(uri);
    const [d] = await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === SNI), `a ${SNI} diagnostic`);
    const sni = ours(uri, SNI)[0] ?? d;
    assert.strictEqual(sni.range.start.line, 15, 'on the `proxy_pass https://billing.example.test;` line');
    assert.strictEqual(sni.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(sni.message, /billing\.example\.test over TLS without sending SNI/);
    assert.ok(typeof sni.code === 'object' && sni.code.target instanceof vscode.Uri, 'code is { value, target } so the Problems panel links the rule');
    assert.match(sni.code.target.toString(), /nginx-https-upstream-without-sni\.md$/);
    assert.ok(ours(uri, BUFFER).length === 1, `the buffer finding too; has ${ours(uri).map(ruleOf).join(', ')}`);
  });

  it('a quick fix changes the text and the finding goes away', async () => {
    const uri = workspaceUri('conf.d/app.conf');
    const editor = await openInEditor(uri);
    const [sni] = await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === SNI), `a ${SNI} diagnostic`).then(() => ours(uri, SNI));
    const actions = await codeActionsAt(uri, sni.range);
    const fix = actions.find((a) => a.title === 'Fix: Add `proxy_ssl_server_name on;`');
    assert.ok(fix, `quick fix offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(fix.isPreferred, 'the first fix is the preferred one (Ctrl+. / auto fix)');
    assert.ok(actions.some((a) => a.title === `Learn more about ${SNI}`), 'a "Learn more" action too');
    await applyAction(fix);
    const lines = editor.document.getText().split('\n');
    assert.match(lines[15], /proxy_pass https:\/\/billing\.example\.test;/);
    assert.match(lines[16], /^\s+proxy_ssl_server_name on;$/, 'inserted on the line after proxy_pass, indented like it');
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === SNI), `the ${SNI} diagnostic to go away`);
  });

  it('"Fix all … problems in this file" fixes every finding of that rule', async () => {
    const uri = workspaceUri('conf.d/partners.conf');
    const editor = await openInEditor(uri);
    const ds = await waitForDiagnostics(uri, (x) => x.filter((d) => ruleOf(d) === SNI).length === 2, `two ${SNI} diagnostics`);
    const first = ds.find((d) => ruleOf(d) === SNI)!;
    const actions = await codeActionsAt(uri, first.range);
    const fixAll = actions.find((a) => a.title === `Fix all ${SNI} problems in this file`);
    assert.ok(fixAll, `fix-all offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    await applyAction(fixAll);
    assert.strictEqual(countOf(editor.document.getText(), 'proxy_ssl_server_name on;'), 2);
    await waitForDiagnostics(uri, (x) => !x.some((d) => ruleOf(d) === SNI), `every ${SNI} diagnostic to go away`);
  });

  it('source.fixAll.gatewayDoctor fixes every fixable finding, and nothing fixable is left', async () => {
    const uri = workspaceUri('conf.d/app.conf');
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleOf(x) === SNI) && ds.some((x) => ruleOf(x) === BUFFER), 'the SNI and buffer diagnostics');
    const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const actions = await codeActionsAt(uri, whole, 'source.fixAll.gatewayDoctor');
    assert.strictEqual(actions.length, 1, `one fix-all action; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.strictEqual(actions[0].title, 'Fix all Gateway Doctor problems in this file');
    await applyAction(actions[0]);
    const text = editor.document.getText();
    assert.match(text, /proxy_buffer_size 4k;/);
    assert.match(text, /proxy_ssl_server_name on;/);
    // Once the edited text is linted again, no fix is left to offer (fixed output re-linted clean).
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleOf(x) === SNI || ruleOf(x) === BUFFER), 'the fixed findings to go away');
    const again = await codeActionsAt(uri, new vscode.Range(0, 0, editor.document.lineCount, 0), 'source.fixAll.gatewayDoctor');
    assert.deepStrictEqual(
      again.map((a) => a.title),
      [],
      `still fixable: ${ours(uri).map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`).join(', ')}`,
    );
  });
});
