// In the editor: "Probe URL…" probes a loopback URL and returns a verdict with the generating hop; a live
// 502 (Debian nginx in front of a closed port, its config in the workspace) then shows up in the Findings
// view, in the report webview, as a curl command on the clipboard, and again after Probe Again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { FindingsNode } from '../../../src/extension/findingsTree';
import { NGINX_BIN, RunningNginx, startNginx } from '../harness/nginxServer';
import { bounded, freePort } from '../harness/processes';
import { EXTENSION_ID, activateExtension, workspaceUri } from './helpers';

interface Report {
  status?: number;
  verdict: { cause: string; summary: string };
  hop: { generatedBy: string };
}

describe('Probe URL', () => {
  before(activateExtension);
  let server: http.Server;
  let port = 0;

  before(async () => {
    // An nginx-like 502 page from a loopback origin: what the fingerprints recognise.
    server = http.createServer((_req, res) => {
      res.writeHead(502, { Server: 'nginx/1.22.1', 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('names nginx as the hop that answered 502', async () => {
    const r = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', `http://127.0.0.1:${port}/`)) as Report | undefined;
    assert.ok(r, 'the probe returned a report');
    assert.strictEqual(r.status, 502);
    assert.match(r.hop.generatedBy, /nginx/i);
    assert.notStrictEqual(r.verdict.cause, 'none');
  });

  it('a refused port is upstream-down', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', `http://127.0.0.1:${free}/`)) as Report | undefined;
    assert.ok(r, 'the probe returned a report');
    assert.strictEqual(r.verdict.cause, 'upstream-down');
  });
});

/** The nginx lab: its config lives in the workspace, so the probe maps the URL to it. */
function labConfig(port: number, deadPort: number): string {
  return `# nginx 1.22
# Written by the probe e2e test: a proxy in front of an app port where nothing listens.
error_log logs/error.log info;
events {}
http {
    access_log off;
    upstream probe_app {
        server 127.0.0.1:${deadPort};
    }
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://probe_app;
        }
    }
}
`;
}

const api = () => vscode.extensions.getExtension(EXTENSION_ID)!.exports as GatewayDoctorApi;
const itemOf = (n: FindingsNode) => api().findingsTree.getTreeItem(n);
const labelOf = (n: FindingsNode) => {
  const l = itemOf(n).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
};
const probeRows = () => api().findingsTree.getChildren().filter((n) => itemOf(n).contextValue === 'probe');
const childrenOf = (n: FindingsNode) => api().findingsTree.getChildren(n);

describe('Probe results in the editor (live nginx 502)', function () {
  let nginx: RunningNginx | undefined;
  let labDir: string;
  let url: string;

  before(async function () {
    if (!NGINX_BIN) this.skip();
    await activateExtension();
    labDir = workspaceUri('probe-lab').fsPath;
    fs.mkdirSync(labDir, { recursive: true });
    const port = await freePort();
    const deadPort = await freePort();
    fs.writeFileSync(path.join(labDir, 'nginx.conf'), labConfig(port, deadPort));
    nginx = await startNginx(labDir, port);
    url = `http://127.0.0.1:${port}/`;
    // The config index learns about the new file (Inspect rescans the workspace).
    await vscode.commands.executeCommand('gatewayDoctor.inspectWorkspace');
  });

  after(async () => {
    await nginx?.stop();
    await vscode.commands.executeCommand('gatewayDoctor.probe.clear');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The index forgets the deleted file through its watcher. No Inspect here: it moves the focus to the
    // Findings view a moment later, which would close the palette the browser checks open next.
    if (labDir) fs.rmSync(labDir, { recursive: true, force: true });
  });

  it('the Findings view gets a probe row with the phases, the hop, the verdict and the config lines', async () => {
    const r = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', url)) as Report | undefined;
    assert.ok(r, 'the probe returned a report');
    assert.strictEqual(r.status, 502);
    assert.strictEqual(r.hop.generatedBy, 'nginx');
    assert.strictEqual(r.verdict.cause, 'upstream-down');

    const row = probeRows().find((n) => labelOf(n) === url);
    assert.ok(row, `a probe row labelled ${url}; rows: ${probeRows().map(labelOf).join(', ')}`);
    assert.strictEqual(labelOf(probeRows()[0]), url, 'the newest probe is the first row');
    const item = itemOf(row);
    assert.match(String(item.description), /^502 · Upstream down or refusing$/);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'error', 'a failing probe has the error icon');

    const kids = childrenOf(row);
    const labels = kids.map(labelOf);
    for (const want of ['DNS lookup', 'TCP connect', 'Server processing (TTFB)', 'Total', 'Generated by nginx', 'Upstream down or refusing', 'Served by the workspace config']) {
      assert.ok(labels.includes(want), `a child "${want}"; children: ${labels.join(' | ')}`);
    }
    assert.ok(!labels.includes('TLS handshake'), 'no TLS row for an http URL');
    const total = kids.find((n) => labelOf(n) === 'Total')!;
    assert.match(String(itemOf(total).description), /^\d+(\.\d+)? ms · p50 .+ ms \/ p95 .+ ms \/ p99 .+ ms$/, 'several samples: p50/p95/p99');

    const verdict = kids.find((n) => labelOf(n) === 'Upstream down or refusing')!;
    const because = childrenOf(verdict).map((n) => itemOf(n));
    assert.ok(because.some((i) => i.description === 'evidence'), 'the verdict has evidence children');
    assert.ok(because.some((i) => i.description === 'next step'), 'the verdict has next-step children');

    // A config place opens its line.
    const config = kids.find((n) => labelOf(n) === 'Served by the workspace config')!;
    const places = childrenOf(config).map((n) => itemOf(n));
    const pass = places.find((i) => i.label === 'proxy_pass http://probe_app');
    assert.ok(pass?.command, `a proxy_pass place; places: ${places.map((i) => i.label).join(' | ')}`);
    assert.ok(places.some((i) => i.label === 'upstream probe_app') && places.some((i) => i.label === 'location /'));
    await vscode.commands.executeCommand(pass.command.command, ...(pass.command.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.fsPath === path.join(labDir, 'nginx.conf'), 'the lab config is open');
    assert.strictEqual(editor.document.lineAt(editor.selection.active.line).text.trim(), 'proxy_pass http://probe_app;');
  });

  it('the report panel shows the verdict first and the SVG waterfall', async () => {
    await vscode.commands.executeCommand('gatewayDoctor.probe.openReport', probeRows()[0]);
    const html = api().reports.htmlOf('probe');
    assert.ok(html, 'the probe report panel is open');
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /probe-report\.css/);
    const verdict = html.indexOf('Upstream down or refusing');
    const svg = html.indexOf('<svg class="waterfall"');
    assert.ok(verdict > 0 && svg > verdict, 'the verdict comes before the waterfall');
    assert.match(html, /<g class="phase phase-ttfb">/);
    assert.match(html, /<svg class="hop-chain"[\s\S]*<g class="hop generated">/);
    assert.match(html, /connect\(\) failed \(111: Connection refused\)/, 'the error-log lines read during the probe');
    assert.match(html, /data-command="openConfig"[^>]*>probe-lab\/nginx\.conf:\d+</);
  });

  it('Copy as curl puts the same request on the clipboard', async () => {
    // The clipboard is the browser's: fail with a message rather than at the test timeout.
    await bounded(Promise.resolve(vscode.env.clipboard.writeText('')), 10000, 'clearing the clipboard');
    const copied = await bounded(Promise.resolve(vscode.commands.executeCommand<string>('gatewayDoctor.probe.copyAsCurl', probeRows()[0])), 10000, 'Copy as curl');
    const text = await bounded(Promise.resolve(vscode.env.clipboard.readText()), 10000, 'reading the clipboard');
    assert.strictEqual(text, copied, 'the clipboard holds what the command copied');
    assert.ok(text.startsWith('curl '), text);
    assert.ok(text.endsWith(` ${url}`), `ends with the URL: ${text}`);
    assert.match(text, /-A gateway-doctor\/0\.1/);
    assert.match(text, /%\{time_starttransfer\}/);
  });

  it('Probe Again produces a fresh result in the same row', async () => {
    const before = probeRows().find((n) => labelOf(n) === url)!;
    const old = (before as Extract<FindingsNode, { kind: 'section' }>).node as { result: unknown };
    const again = (await vscode.commands.executeCommand('gatewayDoctor.probe.again', before)) as Report | undefined;
    assert.ok(again, 'Probe Again returned a report');
    const rows = probeRows().filter((n) => labelOf(n) === url);
    assert.strictEqual(rows.length, 1, 'one row per URL');
    const fresh = (rows[0] as Extract<FindingsNode, { kind: 'section' }>).node as { result: { report: unknown } };
    assert.notStrictEqual(fresh.result, old.result, 'a new result');
    assert.strictEqual(fresh.result.report, again, 'the row shows the new report');
  });

  it('follows the probe settings (samples)', async () => {
    const c = vscode.workspace.getConfiguration('gatewayDoctor');
    await c.update('probe.samples', 2, vscode.ConfigurationTarget.Global);
    try {
      const r = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', url)) as (Report & { samples: unknown[] }) | undefined;
      assert.strictEqual(r?.samples.length, 2);
    } finally {
      await c.update('probe.samples', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Clear Probe Results empties the section', async () => {
    assert.ok(probeRows().length > 0);
    await vscode.commands.executeCommand('gatewayDoctor.probe.clear');
    assert.strictEqual(probeRows().length, 0);
  });
});
