// In the editor: "Probe Origin Directly…" on a probe row. A loopback "edge" (127.0.0.1:P, answering an
// nginx-like 502) and "origin" (127.0.0.2:P, answering 200) serve the same URL http://localhost:P/; the
// command probes the URL at the origin's address (name kept, curl --resolve) and over DNS, and the
// report, the Findings row and Copy as curl show the comparison.
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { FindingsNode } from '../../../src/extension/findingsTree';
import type { ProbeReport } from '../../../src/core/probe/types';
import { bounded } from '../harness/processes';
import { EXTENSION_ID, activateExtension } from './helpers';

const NGINX_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>';

const api = () => vscode.extensions.getExtension(EXTENSION_ID)!.exports as GatewayDoctorApi;
const itemOf = (n: FindingsNode) => api().findingsTree.getTreeItem(n);
const labelOf = (n: FindingsNode) => {
  const l = itemOf(n).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
};
const probeRows = () => api().findingsTree.getChildren().filter((n) => itemOf(n).contextValue === 'probe');
const childrenOf = (n: FindingsNode) => api().findingsTree.getChildren(n);

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe('Probe Origin Directly (edge vs origin)', () => {
  let edge: http.Server;
  let origin: http.Server;
  let port = 0;
  let url = '';

  before(async () => {
    await activateExtension();
    edge = http.createServer((_req, res) => {
      res.writeHead(502, { Server: 'nginx/1.22.1', 'Content-Type': 'text/html' });
      res.end(NGINX_502);
    });
    origin = http.createServer((_req, res) => res.end('origin ok\n'));
    port = await listen(edge, '127.0.0.1', 0);
    // Linux loopback answers on all of 127.0.0.0/8: the same port on another address is another host.
    await listen(origin, '127.0.0.2', port);
    url = `http://localhost:${port}/`;
  });

  after(async () => {
    await vscode.commands.executeCommand('gatewayDoctor.probe.clear');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const s of [edge, origin]) await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  });

  it('the plain probe sees the edge 502; Probe Origin Directly finds the origin healthy → intermediary', async () => {
    const plain = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', url)) as ProbeReport | undefined;
    assert.ok(plain, 'the probe returned a report');
    assert.strictEqual(plain.status, 502);
    assert.strictEqual(plain.edgeComparison, undefined);
    const row = probeRows().find((n) => labelOf(n) === url);
    assert.ok(row, `a probe row for ${url}`);

    const r = (await vscode.commands.executeCommand('gatewayDoctor.probe.origin', row, '127.0.0.2')) as ProbeReport | undefined;
    assert.ok(r, 'Probe Origin Directly returned a report');
    assert.strictEqual(r.status, 200, 'the samples went to the origin');
    assert.strictEqual(r.samples[0].dns?.source, 'resolve');
    const c = r.edgeComparison;
    assert.ok(c, 'the report has the comparison');
    assert.strictEqual(c.outcome, 'edge-fails');
    assert.strictEqual(c.edge.status, 502);
    assert.strictEqual(c.edge.generatedBy, 'nginx');
    assert.strictEqual(c.origin.status, 200);
    assert.deepStrictEqual(c.origin.addresses, [`127.0.0.2:${port}`]);
    assert.strictEqual(r.verdict.cause, 'intermediary');

    // The report webview: an Edge vs origin section with both columns.
    const html = api().reports.htmlOf('probe');
    assert.ok(html, 'the probe report panel is open');
    assert.match(html, /<h2>Edge vs origin<\/h2>/);
    assert.match(html, /<tr><th>Status<\/th><td class="side-failed sev-error">502<\/td><td class="side-ok">200<\/td><\/tr>/);
    assert.match(html, /<tr><th>Who answered<\/th><td class="side-failed">nginx<\/td><td class="side-ok">origin<\/td><\/tr>/);
    assert.match(html, /Intermediary|intermediary/);

    // The Findings row: the same URL, now with the comparison as a child.
    const rows = probeRows().filter((n) => labelOf(n) === url);
    assert.strictEqual(rows.length, 1, 'one row per URL');
    assert.match(String(itemOf(rows[0]).description), new RegExp(`^200 · .+ · origin 127\\.0\\.0\\.2:${port}$`));
    const cmp = childrenOf(rows[0]).find((n) => labelOf(n) === 'Edge vs origin');
    assert.ok(cmp, `an "Edge vs origin" child; children: ${childrenOf(rows[0]).map(labelOf).join(' | ')}`);
    assert.strictEqual(itemOf(cmp).description, 'edge 502 · origin 200');
    const sides = childrenOf(cmp).map(labelOf);
    assert.deepStrictEqual(sides, [`Edge (DNS): 127.0.0.1:${port}, [::1]:${port}`, `Origin (--resolve): 127.0.0.2:${port}`]);
  });

  it('Copy as curl of the origin probe carries --resolve; Probe Again keeps the origin', async () => {
    const row = probeRows().find((n) => labelOf(n) === url)!;
    const copied = await bounded(Promise.resolve(vscode.commands.executeCommand<string>('gatewayDoctor.probe.copyAsCurl', row)), 10000, 'Copy as curl');
    assert.match(copied, new RegExp(` --resolve localhost:${port}:127\\.0\\.0\\.2 `));
    const again = (await vscode.commands.executeCommand('gatewayDoctor.probe.again', row)) as ProbeReport | undefined;
    assert.strictEqual(again?.edgeComparison?.outcome, 'edge-fails');
  });

  it('an address that is not an IP is refused with a message, and nothing is probed', async () => {
    const row = probeRows().find((n) => labelOf(n) === url)!;
    const r = await vscode.commands.executeCommand('gatewayDoctor.probe.origin', row, 'origin.internal');
    assert.strictEqual(r, undefined);
  });
});
