// A real Apache httpd (Debian's) on 127.0.0.1 shows what the rules say it does, and that after `lint --fix`
// (the same core function) it is gone: an https backend without SSLProxyEngine answers 500 with AH00961,
// then 200 from the TLS origin; a ProxyPass hidden by a shorter earlier one sends /api/v2/ to the wrong
// backend, then to the right one; a trailing-slash mismatch delivers /shopcart, then /shop/cart; a
// misspelled balancer answers 503 with AH01171, then 200; a missing ProxyPassReverse leaks the backend's
// address in a redirect, then the redirect names the proxy; SSLProxyCheckPeerName off accepts a certificate
// for another name, which with the check fails with 500 (AH00898). Every wait is bounded; every server is stopped.
import * as assert from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { fixUntilStable, lintFile } from '../support/fixtures';
import { APACHE, APACHE_MODULES, serverPreamble } from '../support/apache';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Reply {
  status: number;
  body: string;
  location?: string;
}

/** One GET on 127.0.0.1, bounded; status 0 on a socket error. */
function get(port: number, p: string, ms = 8000): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/** An origin that answers "NAME PATH", or redirects /app/ to /app/login on its own address. */
async function origin(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const port = (server.address() as net.AddressInfo).port;
    if (req.url === '/app/') {
      res.writeHead(302, { Location: `http://127.0.0.1:${port}/app/login` });
      res.end();
      return;
    }
    res.end(`${name} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

class RunningApache {
  constructor(
    readonly child: ChildProcess,
    readonly errorLog: string,
  ) {}

  /** Ends this test's own httpd (its process group), nothing else; waits until it is gone. */
  async stop(): Promise<void> {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      return;
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
  }

  log(): string {
    return fs.existsSync(this.errorLog) ? fs.readFileSync(this.errorLog, 'utf8') : '';
  }
}

/** Starts httpd with its own ServerRoot in `dir`, listening on `port`, including `site` (the linted file). */
async function startApache(dir: string, port: number, site: string): Promise<RunningApache> {
  const conf = path.join(dir, 'httpd.conf');
  fs.rmSync(path.join(dir, 'error.log'), { force: true });
  fs.writeFileSync(conf, serverPreamble(dir, [`Listen 127.0.0.1:${port}`, 'SSLProxyCheckPeerName on']) + `Include ${site}\n`);
  const child = spawn(APACHE!, ['-f', conf, '-DFOREGROUND'], { detached: true, stdio: 'ignore' });
  const running = new RunningApache(child, path.join(dir, 'error.log'));
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`apache2 exited with ${child.exitCode}:\n${running.log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return running;
    await new Promise((r) => setTimeout(r, 50));
  }
  await running.stop();
  throw new Error(`apache2 did not listen on ${port}:\n${running.log()}`);
}

/** Resolves once nothing accepts on the port any more (the stopped httpd's workers are gone), bounded. */
async function portClosed(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} still accepts connections after httpd was stopped`);
}

/** Polls the error log until it has a line matching `re`, bounded: httpd writes it after the response. */
async function waitForLog(r: RunningApache, re: RegExp, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const text = r.log();
    if (re.test(text)) return text;
    await new Promise((res) => setTimeout(res, 50));
  }
  return r.log();
}

describe('real Apache httpd on 127.0.0.1: what the Apache rules predict, and the fix', function () {
  this.timeout(90000);
  let dir: string;
  let a: { server: http.Server; port: number };
  let b: { server: http.Server; port: number };
  let tls: https.Server | undefined;
  let tlsPort = 0;
  let port: number;
  let site: string;
  const running: RunningApache[] = [];

  before(async function () {
    if (!APACHE || !APACHE_MODULES) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-apache-run-'));
    a = await origin('A');
    b = await origin('B');
    // A TLS origin with a certificate for "localhost" (httpd checks the peer name, not the chain, by default).
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { encoding: 'utf8', timeout: 30000 });
    if (r.status === 0) {
      tls = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => res.end(`TLS ${req.url}`));
      await new Promise<void>((res) => tls!.listen(0, '127.0.0.1', res));
      tlsPort = (tls.address() as net.AddressInfo).port;
    }
    site = path.join(dir, 'site.conf');
  });
  // A port of its own per test: a killed httpd's socket never answers the next test's first request.
  beforeEach(async () => (port = await freePort()));
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });
  after(() => {
    a?.server.close();
    b?.server.close();
    tls?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the site, checks it gets exactly `ruleIds`, and starts httpd on it. */
  async function serve(text: string, ruleIds: string[]): Promise<RunningApache> {
    fs.writeFileSync(site, text);
    assert.deepStrictEqual(lintFile(site).map((f) => f.ruleId).sort(), [...ruleIds].sort());
    const r = await startApache(dir, port, site);
    running.push(r);
    return r;
  }

  async function fixAndRestart(before: RunningApache): Promise<RunningApache> {
    await before.stop();
    await portClosed(port);
    const { applied, findings } = fixUntilStable(site);
    assert.ok(applied > 0, 'a fix was applied');
    assert.deepStrictEqual(findings.map((f) => f.ruleId), [], `nothing left after the fix:\n${fs.readFileSync(site, 'utf8')}`);
    const r = await startApache(dir, port, site);
    running.push(r);
    return r;
  }

  it('https backend without SSLProxyEngine: 500 and AH00961; after the fix 200 from the TLS origin', async function () {
    if (!tls) this.skip();
    const r = await serve(
      `<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    ProxyPass /pay/ https://localhost:${tlsPort}/\n    ProxyPassReverse /pay/ https://localhost:${tlsPort}/\n</VirtualHost>\n`,
      ['apache/https-backend-without-ssl-proxy-engine'],
    );
    assert.strictEqual((await get(port, '/pay/x')).status, 500);
    assert.match(await waitForLog(r, /AH00961/), /AH00961: https: failed to enable ssl support/);
    const fixed = await fixAndRestart(r);
    assert.match(fs.readFileSync(site, 'utf8'), /^ {4}SSLProxyEngine on\n {4}ProxyPass \/pay\//m);
    assert.deepStrictEqual(await get(port, '/pay/x'), { status: 200, body: 'TLS /x', location: undefined });
    assert.doesNotMatch(fixed.log(), /AH00961/);
  });

  it('SSLProxyCheckPeerName off (reported, info): a certificate for another name is accepted without a word; with the check 500 and AH00898', async function () {
    if (!tls) this.skip();
    const text = (check: string) =>
      `<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    SSLProxyEngine on\n${check}    ProxyPass /pay/ https://127.0.0.1:${tlsPort}/\n    ProxyPassReverse /pay/ https://127.0.0.1:${tlsPort}/\n</VirtualHost>\n`;
    const off = await serve(text('    SSLProxyCheckPeerName off\n'), ['apache/ssl-proxy-checks-off']);
    assert.deepStrictEqual(await get(port, '/pay/x'), { status: 200, body: 'TLS /x', location: undefined }, 'the certificate names localhost, not 127.0.0.1');
    await off.stop();
    await portClosed(port);
    const on = await serve(text(''), []);
    assert.strictEqual((await get(port, '/pay/x')).status, 500);
    assert.match(await waitForLog(on, /AH00898/), /AH00898: Error during SSL Handshake with remote server/);
  });

  it('a ProxyPass hidden by a shorter earlier one: /api/v2/ goes to the wrong backend; after the fix to its own', async () => {
    const r = await serve(
      `<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    ProxyPass /api/ http://127.0.0.1:${a.port}/api/\n    ProxyPassReverse /api/ http://127.0.0.1:${a.port}/api/\n    ProxyPass /api/v2/ http://127.0.0.1:${b.port}/\n    ProxyPassReverse /api/v2/ http://127.0.0.1:${b.port}/\n</VirtualHost>\n`,
      ['apache/proxypass-shadowed'],
    );
    assert.strictEqual((await get(port, '/api/v2/users')).body, 'A /api/v2/users');
    await fixAndRestart(r);
    assert.strictEqual((await get(port, '/api/v2/users')).body, 'B /users');
    assert.strictEqual((await get(port, '/api/orders')).body, 'A /api/orders', 'the shorter path still serves the rest');
  });

  it('trailing-slash mismatch: /shop/cart arrives as /shopcart; after the fix as /shop/cart', async () => {
    const r = await serve(
      `<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    ProxyPass /shop/ http://127.0.0.1:${a.port}/shop\n    ProxyPassReverse /shop/ http://127.0.0.1:${a.port}/shop/\n</VirtualHost>\n`,
      ['apache/proxypass-trailing-slash-mismatch'],
    );
    assert.strictEqual((await get(port, '/shop/cart')).body, 'A /shopcart');
    await fixAndRestart(r);
    assert.strictEqual((await get(port, '/shop/cart')).body, 'A /shop/cart');
  });

  it('a misspelled balancer: 503 and AH01171; after the fix 200 from its member', async () => {
    const r = await serve(
      `<Proxy balancer://shop>\n    BalancerMember http://127.0.0.1:${a.port}\n</Proxy>\n<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    ProxyPass /app/ balancer://shpo/\n    ProxyPassReverse /app/ balancer://shpo/\n</VirtualHost>\n`,
      ['apache/unknown-balancer'],
    );
    assert.strictEqual((await get(port, '/app/x')).status, 503);
    assert.match(await waitForLog(r, /AH01171/), /AH01171: balancer:\/\/shpo: No workers in balancer/);
    await fixAndRestart(r);
    assert.deepStrictEqual(await get(port, '/app/x'), { status: 200, body: 'A /x', location: undefined });
  });

  it('no ProxyPassReverse: a backend redirect names the backend; after the fix it names the proxy', async () => {
    const r = await serve(`<VirtualHost 127.0.0.1:${port}>\n    ServerName localhost\n    ProxyPass /app/ http://127.0.0.1:${a.port}/app/\n</VirtualHost>\n`, ['apache/proxypass-without-reverse']);
    const leaked = await get(port, '/app/');
    assert.strictEqual(leaked.status, 302);
    assert.strictEqual(leaked.location, `http://127.0.0.1:${a.port}/app/login`);
    await fixAndRestart(r);
    const fixed = await get(port, '/app/');
    assert.strictEqual(fixed.status, 302);
    assert.strictEqual(fixed.location, `http://127.0.0.1:${port}/app/login`);
  });
});
