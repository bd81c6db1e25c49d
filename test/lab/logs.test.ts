// Real log lines from real servers on loopback (Debian nginx, HAProxy, Apache httpd): each proxies to a
// port where nothing listens, to a Node origin that hangs past the read timeout, to one that sends
// headers bigger than the proxy buffer, and to one that closes mid-response. The servers' own logs are
// then classified and each scenario must come out with its cause. Every wait is bounded; every server
// is stopped in after().
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { CauseId } from '../../src/core/finding';
import { apacheError } from '../../src/core/logs/apacheError';
import { haproxy } from '../../src/core/logs/haproxy';
import { nginxError } from '../../src/core/logs/nginxError';
import { LogFormat } from '../../src/core/logs/types';

const bin = (...candidates: string[]) => candidates.find((p) => fs.existsSync(p));
const NGINX = bin('/usr/sbin/nginx', '/usr/local/sbin/nginx');
const HAPROXY = bin('/usr/sbin/haproxy', '/usr/local/sbin/haproxy');
const APACHE = bin('/usr/sbin/apache2', '/usr/sbin/httpd');
const APACHE_MODULES = bin('/usr/lib/apache2/modules', '/usr/lib64/httpd/modules');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Origin behaviours, by path: /hang never answers, /bigheader sends 4 KB of headers, /close dies mid-body. */
function startOrigin(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/hang')) return; // never answers; the proxy's read timeout fires
    if (req.url?.startsWith('/bigheader')) {
      res.setHeader('X-Big', 'b'.repeat(4096));
      res.end('ok');
      return;
    }
    if (req.url?.startsWith('/close')) {
      res.writeHead(200, { 'Content-Length': '100000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.end('ok');
  });
  server.keepAliveTimeout = 500;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

/** Resolves once something accepts on the port; bounded. */
async function waitForPort(port: number, child: ChildProcess, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited: string | undefined;
  child.once('exit', (code) => (exited = `${what} exited with ${code}`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port} within ${ms} ms`);
}

/** One GET; resolves with the status (or 0 on a socket error), never waits past `ms`. */
function get(port: number, p: string, ms = 8000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: ms }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
      res.on('aborted', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

/** Polls a log until `done(lines)` holds; bounded. Log writes are asynchronous to the response. */
async function waitForLog(file: string, done: (lines: string[]) => boolean, ms = 20000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let lines: string[] = [];
  while (Date.now() < deadline) {
    lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
    if (done(lines)) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  return lines;
}

function causesFor(format: LogFormat, lines: string[], match: (line: string) => boolean): CauseId[] {
  return lines.filter(match).map((l) => format.classify(l)?.cause).filter((c): c is CauseId => !!c);
}

function stop(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

describe('logs lab: real servers, real log lines', function () {
  this.timeout(60000);
  let origin: { server: http.Server; port: number };
  let deadPort: number;

  before(async () => {
    origin = await startOrigin();
    deadPort = await freePort();
  });
  after(() => {
    origin?.server.closeAllConnections();
    origin?.server.close();
  });

  describe('nginx error.log', () => {
    let dir: string;
    let child: ChildProcess | undefined;
    let port: number;
    let lines: string[] = [];
    const scenarios: [string, CauseId][] = [
      ['/refused', 'upstream-down'],
      ['/hang', 'timeout-mismatch'],
      ['/bigheader', 'buffer-limits'],
      ['/close', 'upstream-down'],
    ];

    before(async function () {
      if (!NGINX) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logs-nginx-'));
      port = await freePort();
      const conf = path.join(dir, 'nginx.conf');
      fs.writeFileSync(
        conf,
        `events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_temp; proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp; uwsgi_temp_path ${dir}/uwsgi_temp; scgi_temp_path ${dir}/scgi_temp;
  server {
    listen 127.0.0.1:${port};
    proxy_read_timeout 1s;
    proxy_buffer_size 1k;
    location /refused { proxy_pass http://127.0.0.1:${deadPort}; }
    location / { proxy_pass http://127.0.0.1:${origin.port}; }
  }
}
`,
      );
      child = spawn(NGINX!, ['-p', dir + '/', '-c', conf, '-g', `daemon off; master_process off; pid ${dir}/pid; error_log ${dir}/error.log info;`], { detached: true, stdio: 'ignore' });
      await waitForPort(port, child, 'nginx');
      const statuses = await Promise.all(scenarios.map(([p]) => get(port, p)));
      assert.deepStrictEqual(statuses.slice(0, 3), [502, 504, 502], 'nginx answered the scenarios as expected');
      lines = await waitForLog(path.join(dir, 'error.log'), (ls) => scenarios.every(([p]) => ls.some((l) => l.includes(`"GET ${p} `) && nginxError.classify(l))));
    });
    after(() => {
      stop(child);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const [p, cause] of scenarios) {
      it(`${p} → ${cause}`, () => {
        const got = causesFor(nginxError, lines, (l) => l.includes(`"GET ${p} `));
        assert.ok(got.includes(cause), `expected ${cause} for ${p}, got [${got.join(', ')}]\n${lines.filter((l) => l.includes(p)).join('\n')}`);
      });
    }

    it('the whole error.log is sniffed as nginx', () => {
      assert.ok(lines.filter((l) => l.trim()).every((l) => nginxError.detect(l)));
    });
  });

  describe('HAProxy log (termination states)', () => {
    let dir: string;
    let child: ChildProcess | undefined;
    let port: number;
    let lines: string[] = [];
    const scenarios: [string, CauseId, string][] = [
      ['/refused', 'upstream-down', 'SC'],
      ['/hang', 'timeout-mismatch', 'sH'],
      ['/close', 'upstream-down', 'SD'],
    ];

    before(async function () {
      if (!HAPROXY) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logs-haproxy-'));
      port = await freePort();
      const cfg = path.join(dir, 'haproxy.cfg');
      fs.writeFileSync(
        cfg,
        `global
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  retries 0
  timeout connect 1s
  timeout client 5s
  timeout server 1s
frontend fe
  bind 127.0.0.1:${port}
  use_backend dead if { path_beg /refused }
  default_backend app
backend dead
  server s1 127.0.0.1:${deadPort}
backend app
  server s1 127.0.0.1:${origin.port}
`,
      );
      const out = fs.openSync(path.join(dir, 'haproxy.log'), 'w');
      child = spawn(HAPROXY!, ['-db', '-f', cfg], { detached: true, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      await waitForPort(port, child, 'haproxy');
      await Promise.all(scenarios.map(([p]) => get(port, p)));
      lines = await waitForLog(path.join(dir, 'haproxy.log'), (ls) => scenarios.every(([p]) => ls.some((l) => l.includes(`"GET ${p} `))));
    });
    after(() => {
      stop(child);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const [p, cause, state] of scenarios) {
      it(`${p} → ${state} → ${cause}`, () => {
        const mine = lines.filter((l) => l.includes(`"GET ${p} `));
        const got = mine.map((l) => haproxy.classify(l));
        assert.ok(got.some((e) => e?.cause === cause && e.code === state), `expected ${state}/${cause} for ${p}:\n${mine.join('\n')}`);
      });
    }
  });

  describe('Apache httpd error log (AH codes)', () => {
    let dir: string;
    let child: ChildProcess | undefined;
    let port: number;
    let lines: string[] = [];
    const scenarios: [string, CauseId, string][] = [
      ['/refused', 'upstream-down', 'AH00957'],
      ['/hang', 'timeout-mismatch', 'AH01102'],
      ['/close', 'upstream-down', 'AH'],
    ];

    before(async function () {
      if (!APACHE || !APACHE_MODULES) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-logs-apache-'));
      port = await freePort();
      const conf = path.join(dir, 'httpd.conf');
      const mod = (name: string, file: string) => `LoadModule ${name} ${APACHE_MODULES}/${file}`;
      fs.writeFileSync(
        conf,
        [
          `ServerRoot ${dir}`,
          `DefaultRuntimeDir ${dir}`,
          `PidFile ${dir}/httpd.pid`,
          `ErrorLog ${dir}/error.log`,
          'LogLevel warn',
          `Listen 127.0.0.1:${port}`,
          'ServerName localhost',
          'User www-data',
          'Group www-data',
          mod('mpm_event_module', 'mod_mpm_event.so'),
          mod('authz_core_module', 'mod_authz_core.so'),
          mod('proxy_module', 'mod_proxy.so'),
          mod('proxy_http_module', 'mod_proxy_http.so'),
          `ProxyPass /refused http://127.0.0.1:${deadPort}/refused`,
          `ProxyPass /hang http://127.0.0.1:${origin.port}/hang timeout=1`,
          `ProxyPass /close http://127.0.0.1:${origin.port}/close`,
          '',
        ].join('\n'),
      );
      child = spawn(APACHE!, ['-f', conf, '-DFOREGROUND'], { detached: true, stdio: 'ignore' });
      await waitForPort(port, child, 'apache2');
      for (const [p] of scenarios) await get(port, p);
      lines = await waitForLog(path.join(dir, 'error.log'), (ls) => ls.filter((l) => apacheError.classify(l)).length >= 3);
    });
    after(() => {
      stop(child);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('refused backend → AH00957 / AH01114 → upstream-down', () => {
      const got = lines.map((l) => apacheError.classify(l)).filter((e) => e?.code === 'AH00957' || e?.code === 'AH01114');
      assert.ok(got.length > 0 && got.every((e) => e!.cause === 'upstream-down'), lines.join('\n'));
    });

    it('backend slower than ProxyPass timeout= → (70007) AH01102 → timeout-mismatch', () => {
      const got = causesFor(apacheError, lines, (l) => l.includes('70007'));
      assert.ok(got.includes('timeout-mismatch'), lines.join('\n'));
    });
  });
});
