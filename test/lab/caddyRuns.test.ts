// A real Caddy (Debian's 2.6) on loopback shows what the rules say it does: with two upstreams, one dead,
// and no health checks or retries, the dead one's share of requests gets 502 ("connection refused"); after
// the quick fix (`lb_try_duration 5s`) every request succeeds. An HTTPS upstream by IP fails its
// certificate check (502, "doesn't contain any IP SANs") until `tls_server_name` names it, and an HTTPS
// upstream by name gets the client's Host until `header_up Host {upstream_hostport}`.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { fixUntilStable, lintFile } from '../support/fixtures';
import { CADDY, caddyEnv } from '../support/caddy';
import { Listening, freePort, startListening } from '../support/probeLab';

/** One GET on 127.0.0.1; resolves with the status and body (status 0 on a socket error), bounded. */
function get(port: number, p: string, ms = 15000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

type Running = Listening & { log: string };

async function startCaddy(file: string, port: number, logName: string): Promise<Running> {
  const log = path.join(path.dirname(file), logName);
  const r = await startListening(CADDY!, ['run', '--config', file, '--adapter', 'caddyfile'], port, { log, env: caddyEnv(), cwd: path.dirname(file) });
  return { ...r, log };
}

/** Ends the Caddy this test started (its own process group), and waits until it is gone. */
async function stop(r: Running | undefined): Promise<void> {
  r?.stop();
  await r?.exited;
}

describe('real Caddy on 127.0.0.1: what the Caddy rules warn about', function () {
  this.timeout(90000);
  let dir: string;
  let origin: http.Server;
  let tlsOrigin: https.Server;
  let originPort: number;
  let tlsPort: number;
  const running: Running[] = [];

  before(async function () {
    if (!CADDY) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-caddy-run-'));
    origin = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as net.AddressInfo).port;
    // A certificate for a name (app.internal, and localhost), as upstream certificates are.
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=app.internal', '-addext', 'subjectAltName=DNS:app.internal,DNS:localhost'], { encoding: 'utf8', timeout: 30000 });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    tlsOrigin = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => res.end(`host=${req.headers.host} sni=${(req.socket as import('tls').TLSSocket).servername}`));
    await new Promise<void>((r2) => tlsOrigin.listen(0, '127.0.0.1', r2));
    tlsPort = (tlsOrigin.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const r of running) await stop(r);
    origin?.close();
    tlsOrigin?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two upstreams, one dead, no health checks: its share gets 502; after the fix every request succeeds', async () => {
    const port = await freePort();
    const dead = await freePort();
    const file = path.join(dir, 'lb.caddyfile');
    fs.writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n\n:${port} {\n\treverse_proxy 127.0.0.1:${originPort} 127.0.0.1:${dead} {\n\t\tlb_policy round_robin\n\t}\n}\n`);
    assert.deepStrictEqual(lintFile(file).map((f) => `${f.range.start.line + 1} ${f.ruleId}`), ['7 caddy/upstreams-without-health-checks']);

    const before = await startCaddy(file, port, 'before.log');
    running.push(before);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(port, `/n${i}`)).status);
    await stop(before);
    assert.deepStrictEqual([...statuses].sort(), [200, 200, 200, 502, 502, 502], `round robin over a live and a dead upstream: ${statuses}`);
    const log = fs.readFileSync(before.log, 'utf8');
    assert.ok(log.includes(`dial tcp 127.0.0.1:${dead}: connect: connection refused`) && /"status":502/.test(log), log);

    const { applied } = fixUntilStable(file);
    assert.ok(applied >= 1 && fs.readFileSync(file, 'utf8').includes('lb_try_duration 5s'), fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual(lintFile(file), []);
    const after = await startCaddy(file, port, 'after.log');
    running.push(after);
    const fixed: number[] = [];
    for (let i = 0; i < 6; i++) fixed.push((await get(port, `/n${i}`)).status);
    await stop(after);
    assert.deepStrictEqual(fixed, [200, 200, 200, 200, 200, 200], 'every request reaches the live upstream');
  });

  it('an HTTPS upstream by IP fails its certificate check (502) until tls_server_name names it', async () => {
    const port = await freePort();
    const file = path.join(dir, 'ip.caddyfile');
    const ca = path.join(dir, 'cert.pem');
    fs.writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n\n:${port} {\n\treverse_proxy https://127.0.0.1:${tlsPort} {\n\t\theader_up Host app.internal\n\t\ttransport http {\n\t\t\ttls_trusted_ca_certs ${ca}\n\t\t}\n\t}\n}\n`);
    assert.deepStrictEqual(lintFile(file).map((f) => `${f.range.start.line + 1} ${f.ruleId}`), ['7 caddy/https-upstream-by-ip-without-server-name']);
    const before = await startCaddy(file, port, 'ip-before.log');
    running.push(before);
    const r1 = await get(port, '/');
    await stop(before);
    assert.strictEqual(r1.status, 502);
    assert.ok(fs.readFileSync(before.log, 'utf8').includes("x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"), fs.readFileSync(before.log, 'utf8'));

    fixUntilStable(file);
    assert.ok(fs.readFileSync(file, 'utf8').includes('tls_server_name app.internal'), fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual(lintFile(file), []);
    const after = await startCaddy(file, port, 'ip-after.log');
    running.push(after);
    const r2 = await get(port, '/');
    await stop(after);
    assert.strictEqual(r2.status, 200, r2.body);
    assert.strictEqual(r2.body, 'host=app.internal sni=app.internal');
  });

  it("an HTTPS upstream by name gets the client's Host until header_up Host {upstream_hostport}", async () => {
    const port = await freePort();
    const file = path.join(dir, 'host.caddyfile');
    const ca = path.join(dir, 'cert.pem');
    fs.writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n\n:${port} {\n\treverse_proxy https://localhost:${tlsPort} {\n\t\ttransport http {\n\t\t\ttls_trusted_ca_certs ${ca}\n\t\t}\n\t}\n}\n`);
    assert.deepStrictEqual(lintFile(file).map((f) => `${f.range.start.line + 1} ${f.ruleId}`), ['7 caddy/https-upstream-keeps-client-host']);
    const before = await startCaddy(file, port, 'host-before.log');
    running.push(before);
    const r1 = await get(port, '/');
    await stop(before);
    assert.strictEqual(r1.body, `host=127.0.0.1:${port} sni=localhost`, 'SNI names the upstream, Host is still the client’s');

    fixUntilStable(file);
    assert.deepStrictEqual(lintFile(file), []);
    const after = await startCaddy(file, port, 'host-after.log');
    running.push(after);
    const r2 = await get(port, '/');
    await stop(after);
    assert.strictEqual(r2.body, `host=localhost:${tlsPort} sni=localhost`);
  });
});
