// In the editor: the probe follows VS Code's network settings — `http.proxy` (through a real forward proxy
// on loopback), `http.noProxy`, Gateway Doctor's `probe.useProxy` switch — and measures the server's idle
// keep-alive when `probe.measureKeepAliveMs` asks for it.
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as vscode from 'vscode';
import { ForwardProxy, startForwardProxy } from '../../support/forwardProxy';
import { activateExtension } from './helpers';

interface Report {
  status: number | null;
  proxy?: { url: string; source: string; bypassed: boolean };
  keepAlive?: { idleTimeoutMs?: number; openAfterMs?: number; error?: string; target: string };
  verdict: { cause: string };
}

async function setting(section: string, key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
}

describe('Probe URL and the network settings', () => {
  before(activateExtension);
  let origin: http.Server;
  let originUrl = '';
  let proxy: ForwardProxy;

  before(async () => {
    origin = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
    });
    origin.keepAliveTimeout = 400;
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as net.AddressInfo).port}/health`;
    proxy = await startForwardProxy();
    await setting('gatewayDoctor', 'probe.samples', 1);
  });

  after(async () => {
    for (const [section, key] of [
      ['http', 'proxy'],
      ['http', 'noProxy'],
      ['gatewayDoctor', 'probe.useProxy'],
      ['gatewayDoctor', 'probe.samples'],
      ['gatewayDoctor', 'probe.measureKeepAliveMs'],
    ]) {
      await setting(section, key, undefined);
    }
    await proxy?.close();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  });

  const probe = async (): Promise<Report> => {
    const r = (await vscode.commands.executeCommand('gatewayDoctor.probeUrl', originUrl)) as Report | undefined;
    assert.ok(r, 'the probe returned a report');
    return r;
  };
  const viaProxy = () => proxy.requests.filter((q) => q.target.includes(originUrl.replace('http://', '').replace('/health', ''))).length;

  it('goes through the proxy of http.proxy, and straight to the site when probe.useProxy is off', async function () {
    const envNoProxy = process.env.NO_PROXY ?? process.env.no_proxy ?? '';
    if (/(^|,)\s*(\*|127\.0\.0\.1|127\.0\.0\.0\/8)\s*(,|$)/.test(envNoProxy)) this.skip(); // the machine's NO_PROXY bypasses loopback
    await setting('http', 'proxy', proxy.url);
    const before = viaProxy();
    const r = await probe();
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(r.proxy, { url: proxy.url, source: 'option', bypassed: false });
    assert.strictEqual(viaProxy(), before + 1, 'the forward proxy carried the request');

    await setting('gatewayDoctor', 'probe.useProxy', false);
    const direct = await probe();
    assert.strictEqual(direct.status, 200);
    assert.strictEqual(direct.proxy, undefined, 'no proxy in the report when it is switched off');
    assert.strictEqual(viaProxy(), before + 1, 'the proxy saw nothing more');
    await setting('gatewayDoctor', 'probe.useProxy', undefined);
  });

  it('skips the proxy for hosts in http.noProxy', async () => {
    await setting('http', 'proxy', proxy.url);
    await setting('http', 'noProxy', ['127.0.0.1']);
    const before = viaProxy();
    const r = await probe();
    assert.strictEqual(r.status, 200);
    assert.ok(r.proxy?.bypassed, `bypassed: ${JSON.stringify(r.proxy)}`);
    assert.strictEqual(viaProxy(), before, 'the proxy saw nothing');
    await setting('http', 'noProxy', undefined);
    await setting('http', 'proxy', undefined);
  });

  it('measures the idle keep-alive when probe.measureKeepAliveMs is set', async () => {
    await setting('gatewayDoctor', 'probe.measureKeepAliveMs', 5000);
    const r = await probe();
    assert.ok(r.keepAlive, 'the report has the keep-alive measurement');
    assert.strictEqual(r.keepAlive.error, undefined);
    const ms = r.keepAlive.idleTimeoutMs;
    // Node announces keepAliveTimeout (400 ms) and closes the idle socket within about a second after it.
    assert.ok(ms !== undefined && ms >= 300 && ms < 4000, `idle close measured after ${ms} ms`);
    await setting('gatewayDoctor', 'probe.measureKeepAliveMs', undefined);
    const plain = await probe();
    assert.strictEqual(plain.keepAlive, undefined, 'no measurement when the setting is 0');
  });
});
