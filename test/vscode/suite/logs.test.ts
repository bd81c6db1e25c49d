// In the editor: "Analyze Log File…" on real nginx error-log lines (workspace/logs, written by Debian
// nginx on loopback: refused upstreams, read timeouts, too-big headers, a resolver timeout), plain and
// gzip-rotated; diagnostics on an open log's failure lines; the maxDiagnostics cap; the report page;
// cancel of a long analysis; files that are not logs. Expected causes come from the core itself, so
// the editor must show exactly what the CLI would.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { analyzeFiles, LogAnalysis } from '../../../src/core/logs/analyze';
import { activateExtension, openInEditor, ours, revertAll, ruleOf, waitForDiagnostics, workspaceUri } from './helpers';

interface AnalyzeLogResult {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed';
  analysis?: LogAnalysis;
  message?: string;
  reportHtml?: string;
}

const ANALYZE = 'gatewayDoctor.analyzeLogFile';

function analyze(target: unknown, options?: object): Thenable<AnalyzeLogResult> {
  return vscode.commands.executeCommand<AnalyzeLogResult>(ANALYZE, target, undefined, options);
}

/** Sets a gatewayDoctor.logs.* setting for the workspace; `undefined` removes it. */
function setLogSetting(key: string, value: unknown): Thenable<void> {
  return vscode.workspace.getConfiguration('gatewayDoctor').update(`logs.${key}`, value, vscode.ConfigurationTarget.Workspace);
}

describe('Logs: Analyze Log File and diagnostics on open logs', () => {
  before(activateExtension);
  afterEach(revertAll);

  const errorLog = () => workspaceUri('logs/error.log');
  const rotated = () => workspaceUri('logs/error.log.1.gz');
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-e2e-logs-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // The Findings view goes back to config findings only, for the suites and UI checks that follow.
  after(() => vscode.commands.executeCommand('gatewayDoctor.logs.clear'));

  it('analyzes a log given as a path: the causes and counts are the core’s, and the report has the chart', async () => {
    const expected = await analyzeFiles([errorLog().fsPath]);
    assert.ok(expected.events >= 10 && Object.keys(expected.byCause).length >= 3, 'the fixture has failures of several causes');
    const r = await analyze(errorLog().fsPath);
    assert.strictEqual(r.status, 'done', r.message);
    assert.ok(r.analysis);
    assert.strictEqual(r.analysis.events, expected.events);
    assert.deepStrictEqual(r.analysis.byCause, expected.byCause);
    assert.deepStrictEqual(r.analysis.byUpstream, expected.byUpstream);
    assert.strictEqual(r.analysis.files[0].format, 'nginx-error');

    const html = r.reportHtml ?? '';
    assert.match(html, /<svg class="chart events-chart"[^>]*role="img"/, 'the report page has the chart');
    for (const cause of Object.keys(expected.byCause)) assert.ok(html.includes(`class="bar cause-${cause}"`), `the chart has bars of ${cause}`);
    assert.ok(html.includes('logs-report.css'), 'the report loads its style sheet');
    const first = expected.findings[0];
    assert.ok(html.includes(`data-command="openLine" data-arg="${first.file}:${first.line}"`), 'a button opens the first failure line');
    assert.ok(!/<script(?![^>]*nonce=)/.test(html) && !/ style="/.test(html), 'no inline script or style under the CSP');
  });

  it('links a log cause to the workspace’s config findings of the same cause', async () => {
    // The workspace configs resolve upstream names once (dns) and set a 1k proxy_buffer_size (buffer-limits),
    // the two config-side explanations of this log's resolver timeout and too-big headers.
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
    const html = (await analyze(errorLog())).reportHtml ?? '';
    assert.match(html, /data-command="showConfigFindings" data-arg="dns"[^>]*>Show config findings \(\d+\)/);
    assert.ok(html.includes('data-command="showConfigFindings" data-arg="buffer-limits"'));
    assert.ok(!html.includes('data-arg="timeout-mismatch"'), 'no button where the workspace has no finding of that cause');
  });

  it('analyzes a gzip-rotated log and several files at once', async () => {
    const gz = await analyze(rotated());
    assert.strictEqual(gz.status, 'done', gz.message);
    const expected = await analyzeFiles([rotated().fsPath]);
    assert.ok(gz.analysis!.files[0].gzip, 'recognised as gzip');
    assert.ok(expected.events > 0);
    assert.deepStrictEqual(gz.analysis!.byCause, expected.byCause);

    const both = (await vscode.commands.executeCommand<AnalyzeLogResult>(ANALYZE, errorLog(), [errorLog(), rotated()]))!;
    assert.strictEqual(both.status, 'done');
    assert.strictEqual(both.analysis!.files.length, 2, 'the explorer selection is analysed together');
    assert.strictEqual(both.analysis!.events, expected.events + (await analyzeFiles([errorLog().fsPath])).events);
  });

  it('opens a failure line of the log (what a click in the view or the report does)', async () => {
    const expected = await analyzeFiles([errorLog().fsPath]);
    const target = expected.findings[expected.findings.length - 1];
    await vscode.commands.executeCommand('gatewayDoctor.logs.openLine', target.file, target.line);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.fsPath === errorLog().fsPath, 'error.log is the active editor');
    assert.strictEqual(editor.selection.active.line, target.line - 1);

    const gzLine = (await analyzeFiles([rotated().fsPath])).findings[0];
    await vscode.commands.executeCommand('gatewayDoctor.logs.openLine', gzLine.file, gzLine.line);
    const gzEditor = vscode.window.activeTextEditor!;
    assert.strictEqual(gzEditor.document.uri.scheme, 'gateway-doctor-log', 'a gzip log opens decompressed');
    assert.strictEqual(gzEditor.selection.active.line, gzLine.line - 1);
    assert.match(gzEditor.document.lineAt(gzLine.line - 1).text, /\[error\]/);
  });

  it('an open error.log gets a diagnostic on every failure line, with the cause as code, and none elsewhere', async () => {
    const expected = await analyzeFiles([errorLog().fsPath]);
    await openInEditor(errorLog());
    const ds = await waitForDiagnostics(errorLog(), (d) => d.length === expected.events, `${expected.events} log diagnostics`);
    const byLine = new Map(ds.map((d) => [d.range.start.line + 1, d]));
    for (const f of expected.findings) {
      const d = byLine.get(f.line);
      assert.ok(d, `line ${f.line} is marked`);
      assert.strictEqual(ruleOf(d), f.cause, `line ${f.line}'s code is its cause`);
      assert.strictEqual(d.severity, f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
      assert.ok(d.message.includes(f.message), 'the message says what happened and what to check');
    }
    const failureLines = new Set(expected.findings.map((f) => f.line));
    const text = fs.readFileSync(errorLog().fsPath, 'utf8').split('\n');
    const quiet = text.map((_, i) => i + 1).filter((n) => !failureLines.has(n) && text[n - 1]);
    assert.ok(quiet.some((n) => /\[notice\]|\[info\]/.test(text[n - 1])), 'the fixture has non-failure lines');
    for (const n of quiet) assert.ok(!byLine.has(n), `line ${n} (${text[n - 1].slice(0, 60)}…) is not marked`);
  });

  it('closing the log’s tab clears its marks', async () => {
    await openInEditor(errorLog());
    await waitForDiagnostics(errorLog(), (d) => d.length > 0, 'log diagnostics');
    const cleared = waitForDiagnostics(errorLog(), (d) => d.length === 0, 'no log diagnostics after closing');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await cleared;
  });

  it('gatewayDoctor.logs.maxDiagnostics caps the marks: the first line of each cause, and a note at line 1', async () => {
    const expected = await analyzeFiles([errorLog().fsPath]);
    const causes = Object.keys(expected.byCause);
    await openInEditor(errorLog());
    await waitForDiagnostics(errorLog(), (d) => d.length === expected.events, 'all log diagnostics before the cap');
    try {
      const capped = waitForDiagnostics(errorLog(), (d) => d.length === causes.length + 1, `${causes.length} marks and a note`);
      await setLogSetting('maxDiagnostics', causes.length);
      const ds = await capped;
      const note = ds.filter((d) => ruleOf(d) === undefined);
      assert.strictEqual(note.length, 1, 'one note');
      assert.strictEqual(note[0].range.start.line, 0);
      assert.strictEqual(note[0].severity, vscode.DiagnosticSeverity.Information);
      assert.match(note[0].message, new RegExp(`^${expected.events - causes.length} more failure lines are not marked`));
      const marked = ds.filter((d) => ruleOf(d) !== undefined);
      assert.deepStrictEqual(marked.map(ruleOf).sort(), causes.sort(), 'each cause is marked once');
      for (const d of marked) {
        const firstOfCause = expected.findings.find((f) => f.cause === ruleOf(d))!;
        assert.strictEqual(d.range.start.line + 1, firstOfCause.line, `${ruleOf(d)}: its first line is the one marked`);
      }
    } finally {
      await setLogSetting('maxDiagnostics', undefined);
    }
    await waitForDiagnostics(errorLog(), (d) => d.length === expected.events, 'all marks again once the cap is removed');
  });

  it('turning gatewayDoctor.logs.analyzeOpenLogs off clears the marks', async () => {
    await openInEditor(errorLog());
    await waitForDiagnostics(errorLog(), (d) => d.length > 0, 'log diagnostics');
    try {
      const cleared = waitForDiagnostics(errorLog(), (d) => d.length === 0, 'no log diagnostics');
      await setLogSetting('analyzeOpenLogs', false);
      await cleared;
    } finally {
      await setLogSetting('analyzeOpenLogs', undefined);
    }
    await waitForDiagnostics(errorLog(), (d) => d.length > 0, 'log diagnostics again');
  });

  it('no noise: a log without failures and a non-log file get no marks; Analyze says so', async () => {
    const quietLog = path.join(tmp, 'access.log');
    fs.writeFileSync(quietLog, fs.readFileSync(errorLog().fsPath, 'utf8').split('\n').filter((l) => /\[notice\]/.test(l)).join('\n') + '\n');
    const notes = path.join(tmp, 'notes.txt');
    fs.writeFileSync(notes, 'connect() failed is what we saw yesterday\nnothing else\n');
    await openInEditor(vscode.Uri.file(quietLog));
    await openInEditor(vscode.Uri.file(notes));
    await openInEditor(workspaceUri('nginx.conf'));
    // Documents are classified in the order they open, each in one slice when small: once error.log
    // (opened last) has its marks, the two before it have been classified too.
    await openInEditor(errorLog());
    await waitForDiagnostics(errorLog(), (d) => d.length > 0, 'log diagnostics');
    assert.deepStrictEqual(ours(vscode.Uri.file(quietLog)), []);
    assert.deepStrictEqual(ours(vscode.Uri.file(notes)), []);
    // An nginx config may have its own findings (code: rule id and docs link), never a log cause code.
    assert.deepStrictEqual(ours(workspaceUri('nginx.conf')).filter((d) => typeof d.code === 'string'), [], 'no log diagnostics on an nginx config');

    const r = await analyze(quietLog);
    assert.strictEqual(r.status, 'done');
    assert.strictEqual(r.analysis!.events, 0);
    assert.match(r.reportHtml ?? '', /No failure lines found in \d+ lines\./);
  });

  it('binary, corrupt and missing files get a clear message, never a crash', async () => {
    const bin = path.join(tmp, 'core.log');
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0]));
    const r = await analyze(bin);
    assert.strictEqual(r.status, 'failed');
    assert.match(r.message ?? '', /core\.log: .*binary/);

    const corrupt = path.join(tmp, 'error.log.2.gz');
    const gz = fs.readFileSync(rotated().fsPath);
    fs.writeFileSync(corrupt, gz.subarray(0, Math.floor(gz.length / 2))); // cut in the middle, as a full disk leaves it
    const c = await analyze(corrupt);
    assert.notStrictEqual(c.status, 'done', 'a truncated gzip is not reported as analysed');
    assert.match(c.message ?? '', /error\.log\.2\.gz: .*(gzip|end of file)/i);

    const missing = await analyze(path.join(tmp, 'gone.log'));
    assert.strictEqual(missing.status, 'failed');
    assert.match(missing.message ?? '', /does not exist/);

    // One bad file among good ones: the good ones are analysed, the bad one named.
    const mixed = await vscode.commands.executeCommand<AnalyzeLogResult>(ANALYZE, undefined, [vscode.Uri.file(bin), errorLog()]);
    assert.ok(mixed);
    assert.strictEqual(mixed.status, 'done');
    assert.strictEqual(mixed.analysis!.files.length, 1);
    assert.match(mixed.message ?? '', /skipped .*core\.log/);
  });

  it('a big log is analysed whole, and cancel stops a long analysis early', async function () {
    this.timeout(120000);
    const line = fs.readFileSync(errorLog().fsPath);
    const perCopy = (await analyzeFiles([errorLog().fsPath])).events;
    const copies = Math.ceil((48 * 1048576) / line.length);
    const big = path.join(tmp, 'big-error.log');
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < copies; i++) fs.writeSync(fd, line);
    fs.closeSync(fd);

    const whole = await analyze(big, { showReport: false });
    assert.strictEqual(whole.status, 'done');
    assert.strictEqual(whole.analysis!.events, perCopy * copies, 'every failure line of 48 MB is counted');

    const source = new vscode.CancellationTokenSource();
    let progressCalls = 0;
    let lastRead = 0;
    const cancelled = await analyze(big, {
      cancellation: source.token,
      onProgress: (read: number) => {
        progressCalls++;
        lastRead = read;
        source.cancel(); // after the first chunk: the rest must not be read
      },
    });
    assert.strictEqual(cancelled.status, 'cancelled');
    assert.strictEqual(cancelled.analysis, undefined);
    assert.ok(progressCalls <= 2 && lastRead < fs.statSync(big).size / 4, `stopped early (${progressCalls} chunks, ${lastRead} bytes)`);

    // Nothing is left stuck: the next analysis runs normally.
    const again = await analyze(errorLog(), { showReport: false });
    assert.strictEqual(again.status, 'done');
  });
});
