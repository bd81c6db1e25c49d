// In the editor: "Probe URL…" probes a loopback URL and returns a verdict with the generating hop.
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as vscode from 'vscode';
import { activateExtension } from './helpers';

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
