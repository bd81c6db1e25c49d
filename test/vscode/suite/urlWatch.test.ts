// In the editor: "Watch URL in Status Bar…" probes one URL on an interval; the state follows the site
// (healthy → failing → healthy again), checks never overlap, and Stop ends it.
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as vscode from 'vscode';
import type { GatewayDoctorApi } from '../../../src/extension/extension';
import type { WatchState } from '../../../src/extension/urlWatch';
import { EXTENSION_ID, activateExtension } from './helpers';

const api = () => vscode.extensions.getExtension(EXTENSION_ID)!.exports as GatewayDoctorApi;

/** Resolves with the first state (after now) that `accept` holds for, or rejects after `ms`. */
function waitForWatch(accept: (s: WatchState | undefined) => boolean, what: string, ms = 15000): Promise<WatchState | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; state: ${JSON.stringify(api().watch.current())}`));
    }, ms);
    const sub = api().watch.onDidChange((s) => {
      if (!accept(s)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

describe('Watch URL in Status Bar', () => {
  before(activateExtension);
  let server: http.Server;
  let url = '';
  let answer = 200;
  let inFlight = 0;
  let maxInFlight = 0;

  before(async () => {
    server = http.createServer((_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Slower than the interval: a watch that overlapped its checks would show two at once.
      setTimeout(() => {
        inFlight--;
        if (answer === 200) {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok\n');
        } else {
          res.writeHead(502, { Server: 'nginx/1.22.1', 'Content-Type': 'text/html' });
          res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>');
        }
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/health`;
  });

  after(async () => {
    await vscode.commands.executeCommand('gatewayDoctor.watch.stop');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('follows the site from healthy to failing and back, one check at a time, until stopped', async () => {
    const healthy = waitForWatch((s) => !!s?.last && s.last.cause === 'none', 'a healthy check');
    const started = (await vscode.commands.executeCommand('gatewayDoctor.watch.start', url, 100)) as WatchState | undefined;
    assert.ok(started, 'the watch started');
    assert.strictEqual(started.url, url);
    const h = await healthy;
    assert.strictEqual(h?.last?.status, 200);

    answer = 502;
    const failing = await waitForWatch((s) => (s?.failingInARow ?? 0) >= 2, 'two failing checks in a row');
    assert.strictEqual(failing?.last?.status, 502);
    assert.strictEqual(failing?.last?.cause, 'upstream-down');

    answer = 200;
    const back = await waitForWatch((s) => !!s?.last && s.last.cause === 'none', 'healthy again');
    assert.strictEqual(back?.failingInARow, 0);
    assert.strictEqual(maxInFlight, 1, 'checks never overlapped although each took longer than the interval');

    const stopped = waitForWatch((s) => s === undefined, 'the stop');
    await vscode.commands.executeCommand('gatewayDoctor.watch.stop');
    await stopped;
    assert.strictEqual(api().watch.current(), undefined);
    const checksAfterStop = await new Promise<number>((resolve) => {
      let n = 0;
      const sub = api().watch.onDidChange(() => n++);
      setTimeout(() => (sub.dispose(), resolve(n)), 500);
    });
    assert.strictEqual(checksAfterStop, 0, 'no check after Stop');
  });
});
