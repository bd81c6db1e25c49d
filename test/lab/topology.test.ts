// Cross-layer findings against the real thing: Debian's nginx in front of Debian's gunicorn on loopback.
// Each scenario first shows the failure the rule predicts (status and nginx's own error-log line), then
// runs `gateway-doctor lint --fix` on the folder, restarts the servers with the fixed files and shows
// that the failure is gone. The keep-alive scenario measures gunicorn's idle close with the probe's
// `--keepalive` (a race cannot be produced on demand, its cause can be measured).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freePort, Listening, Nginx, nginxOn, runCli, startListening, startNginx } from '../support/probeLab';
import { NGINX, nginxTest } from '../support/nginx';
import { HAPROXY, haproxyCheck } from '../support/haproxy';
import { CADDY, caddyValidate } from '../support/caddy';
import { APACHE, APACHECTL, apacheCheck, serverPreamble } from '../support/apache';
import { applyFixGroups } from '../../src/core/fixes';
import { copyDir, fixTopologyUntilStable, topologyCases, topologyOf } from '../support/topology';

const GUNICORN = ['/usr/bin/gunicorn', '/usr/local/bin/gunicorn'].find((p) => fs.existsSync(p));

const APP = `import time

def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/slow"):
        time.sleep(2)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\\n"]
`;

type Gunicorn = Listening;

function startGunicorn(dir: string, config: string, port: number): Promise<Gunicorn> {
  return startListening(GUNICORN!, ['-c', path.join(dir, config), '--chdir', dir, 'app:application'], port, { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
}

/** nginx again on the same prefix and (fixed) config file. */
async function restartNginx(n: Nginx): Promise<Nginx> {
  n.stop();
  await new Promise<void>((r) => (n.proc.exitCode !== null || n.proc.signalCode !== null ? r() : n.proc.once('exit', () => r())));
  const { proc, stop } = await nginxOn(n.dir, n.conf, n.port);
  return { ...n, proc, stop };
}

function get(port: number, p: string, timeoutMs = 15000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${p} took over ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface LintJson {
  findings: Array<{ ruleId: string; file: string; line: number; related: Array<{ file: string; line: number; message: string }>; fixes: unknown[] }>;
}

describe('cross-layer findings against real nginx and gunicorn', function () {
  this.timeout(90000);
  let nginx: Nginx | undefined;
  const apps: Gunicorn[] = [];
  let syncPort = 0;
  let threadedPort = 0;
  let socketDir = '';

  before(async function () {
    if (!NGINX || !GUNICORN) {
      if (process.env.CI) throw new Error('nginx and gunicorn are needed: bash scripts/setup.sh installs them');
      this.skip();
    }
    syncPort = await freePort();
    threadedPort = await freePort();
    // The sockets live in a folder of the test's own (startNginx makes the prefix; gunicorn binds in it).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-topology-sock-'));
    socketDir = dir;
    nginx = await startNginx(
      `    location /slow {
      proxy_read_timeout 1s;
      proxy_pass http://127.0.0.1:${syncPort};
    }
    location /moved/ {
      proxy_pass http://unix:${dir}/wrong.sock:/;
    }
    location /pooled/ {
      proxy_pass http://threaded/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`,
      `  upstream threaded {
    server 127.0.0.1:${threadedPort};
    keepalive 4;
  }`,
    );
    fs.writeFileSync(path.join(nginx.dir, 'app.py'), APP);
    fs.writeFileSync(path.join(nginx.dir, 'gunicorn.conf.py'), `bind = ["127.0.0.1:${syncPort}", "unix:${dir}/app.sock"]\nworkers = 1\ntimeout = 30\n`);
    fs.writeFileSync(path.join(nginx.dir, 'gunicorn_threads.py'), `bind = "127.0.0.1:${threadedPort}"\nworker_class = "gthread"\nthreads = 2\nkeepalive = 1\n`);
    apps.push(await startGunicorn(nginx.dir, 'gunicorn.conf.py', syncPort), await startGunicorn(nginx.dir, 'gunicorn_threads.py', threadedPort));
  });

  after(() => {
    nginx?.stop();
    for (const a of apps) a.stop();
    if (nginx) fs.rmSync(nginx.dir, { recursive: true, force: true });
    if (socketDir) fs.rmSync(socketDir, { recursive: true, force: true });
  });

  it('before: 504 and 502 from nginx, with the error-log lines the rules name', async () => {
    assert.strictEqual(await get(nginx!.port, '/slow'), 504);
    assert.strictEqual(await get(nginx!.port, '/moved/'), 502);
    const log = fs.readFileSync(nginx!.errorLog, 'utf8');
    assert.match(log, /upstream timed out \(110: Connection timed out\) while reading response header from upstream/);
    assert.match(log, /connect\(\) to unix:\S+wrong\.sock failed \(2: No such file or directory\) while connecting to upstream/);
  });

  it('probe --config: the verdict for the socket 502 is routing, with the cross-layer finding as evidence', async () => {
    const r = await runCli(['probe', `http://127.0.0.1:${nginx!.port}/moved/`, '--samples', '1', '--no-proxy', '--config', nginx!.dir, '--format', 'json'], 30000);
    const report = JSON.parse(r.stdout) as { status: number; verdict: { cause: string; confidence: string; evidence: string[]; nextSteps: string[] } };
    assert.strictEqual(report.status, 502);
    assert.strictEqual(report.verdict.cause, 'routing', JSON.stringify(report.verdict));
    assert.strictEqual(report.verdict.confidence, 'high');
    assert.ok(report.verdict.evidence.some((e) => e.startsWith('topology/pass-target-without-listener') && e.includes('app.sock')), JSON.stringify(report.verdict.evidence));
    assert.match(report.verdict.nextSteps[0], /^Change nginx\.conf:\d+ or the app server's setting/);
  });

  it('lint names the nginx line and the gunicorn setting for each, across the two files', async () => {
    const r = await runCli(['lint', nginx!.dir, '--format', 'json'], 30000);
    const { findings } = JSON.parse(r.stdout) as LintJson;
    const conf = fs.readFileSync(nginx!.conf, 'utf8').split('\n');
    const at = (id: string) => findings.find((f) => f.ruleId === id);
    const timeout = at('topology/read-timeout-below-app-timeout');
    assert.ok(timeout, r.stdout);
    assert.match(conf[timeout!.line - 1], /proxy_read_timeout 1s/);
    assert.ok(timeout!.related.some((x) => x.file.endsWith('gunicorn.conf.py') && x.line === 3), JSON.stringify(timeout!.related));
    const moved = at('topology/pass-target-without-listener');
    assert.ok(moved, r.stdout);
    assert.match(conf[moved!.line - 1], /proxy_pass http:\/\/unix:\S+\/wrong\.sock:\//);
    assert.ok(moved!.fixes.length === 1, 'one socket listener: the fix points at it');
    const race = at('topology/upstream-keepalive-outlives-app');
    assert.ok(race, r.stdout);
    assert.match(conf[race!.line - 1], /keepalive 4;/);
    assert.ok(race!.related.some((x) => x.file.endsWith('gunicorn_threads.py') && x.line === 4));
  });

  it('the probe measures the race: gunicorn drops an idle connection after ~1 s, nginx would keep it 60 s', async () => {
    const r = await runCli(['probe', `http://127.0.0.1:${nginx!.port}/pooled/`, '--samples', '1', '--no-proxy', '--keepalive', '4000', '--config', nginx!.conf, '--format', 'json'], 30000);
    const report = JSON.parse(r.stdout) as { upstreamKeepAlive?: { idleTimeoutMs?: number; target?: string } };
    assert.ok(report.upstreamKeepAlive?.idleTimeoutMs !== undefined, r.stdout);
    assert.ok(report.upstreamKeepAlive!.idleTimeoutMs! >= 500 && report.upstreamKeepAlive!.idleTimeoutMs! < 3000, JSON.stringify(report.upstreamKeepAlive));
  });

  it('after lint --fix: the files still validate, the servers restart and every request succeeds', async () => {
    const fixed = await runCli(['lint', nginx!.dir, '--fix', '--format', 'json'], 30000);
    assert.ok([0, 1].includes(fixed.code ?? -1), fixed.stderr);
    const t = spawnSync(NGINX!, ['-t', '-q', '-p', nginx!.dir + '/', '-c', nginx!.conf, '-g', `pid ${nginx!.dir}/pid;`], { encoding: 'utf8' });
    assert.strictEqual(t.status, 0, t.stderr);
    const left = (JSON.parse((await runCli(['lint', nginx!.dir, '--format', 'json'], 30000)).stdout) as LintJson).findings.filter((f) => f.ruleId.startsWith('topology/'));
    assert.deepStrictEqual(left.map((f) => f.ruleId), []);
    for (const a of apps.splice(0)) {
      a.stop();
      await a.exited; // its port free again before the restart binds it
    }
    apps.push(await startGunicorn(nginx!.dir, 'gunicorn.conf.py', syncPort), await startGunicorn(nginx!.dir, 'gunicorn_threads.py', threadedPort));
    nginx = await restartNginx(nginx!);
    assert.strictEqual(await get(nginx.port, '/slow'), 200);
    assert.strictEqual(await get(nginx.port, '/moved/'), 200);
    // The threaded gunicorn now keeps an idle connection open past the probe's 4 s wait.
    const r = await runCli(['probe', `http://127.0.0.1:${nginx.port}/pooled/`, '--samples', '1', '--no-proxy', '--keepalive', '4000', '--config', nginx.conf, '--format', 'json'], 30000);
    const report = JSON.parse(r.stdout) as { status: number; upstreamKeepAlive?: { idleTimeoutMs?: number; openAfterMs?: number } };
    assert.strictEqual(report.status, 200);
    assert.ok(report.upstreamKeepAlive?.openAfterMs !== undefined, JSON.stringify(report.upstreamKeepAlive));
  });
});

describe('real nginx -t on the cross-layer fixture workspaces', () => {
  for (const c of topologyCases()) {
    it(`${c.name}: silent/ is valid, and fires/ still is after its quick fixes`, () => {
      for (const [dir, fix] of [[c.silent, false], [c.fires, true]] as const) {
        const tmp = copyDir(dir);
        try {
          if (fix) assert.ok(fixTopologyUntilStable(tmp) > 0 || !topologyOf(tmp).some((f) => f.fixes.length), 'fixes were offered and applied');
          if (fs.existsSync(path.join(tmp, 'nginx.conf'))) {
            const r = nginxTest(path.join(tmp, 'nginx.conf'));
            assert.ok(r.ok, `${path.relative(c.fires, dir) || 'fires'}: ${r.output}\n${fs.readFileSync(path.join(tmp, 'nginx.conf'), 'utf8')}`);
          }
          const ap = path.join(tmp, 'httpd.conf');
          if (fs.existsSync(ap) && APACHECTL) {
            const a = apacheCheck(ap);
            assert.ok(a.ok, `${path.relative(c.fires, dir) || 'fires'} apache2ctl -t: ${a.output}\n${fs.readFileSync(ap, 'utf8')}`);
          }
          const cf = path.join(tmp, 'Caddyfile');
          if (fs.existsSync(cf) && CADDY) {
            const v = caddyValidate(cf);
            assert.ok(v.ok, `${path.relative(c.fires, dir) || 'fires'} caddy validate: ${v.output}\n${fs.readFileSync(cf, 'utf8')}`);
          }
          const hx = path.join(tmp, 'haproxy.cfg');
          if (fs.existsSync(hx) && HAPROXY) {
            const h = haproxyCheck(hx);
            assert.ok(h.ok, `${path.relative(c.fires, dir) || 'fires'} haproxy -c: ${h.output}\n${fs.readFileSync(hx, 'utf8')}`);
          }
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
    });
  }
});

describe('HAProxy in front of nginx: timeout server against the read timeout behind it (real servers)', function () {
  this.timeout(90000);
  let nginx: Nginx | undefined;
  let app: Gunicorn | undefined;
  let lb: Listening | undefined;
  let lbPort = 0;
  let cfg = '';

  const startLb = () => startListening(HAPROXY!, ['-db', '-f', cfg], lbPort, { stdout: path.join(nginx!.dir, 'haproxy.log') });

  before(async function () {
    if (!NGINX || !GUNICORN || !HAPROXY) {
      if (process.env.CI) throw new Error('nginx, HAProxy and gunicorn are needed: bash scripts/setup.sh installs them');
      this.skip();
    }
    const appPort = await freePort();
    lbPort = await freePort();
    nginx = await startNginx(`    location /slow {
      proxy_read_timeout 10s;
      proxy_pass http://127.0.0.1:${appPort};
    }`);
    fs.writeFileSync(path.join(nginx.dir, 'app.py'), APP);
    fs.writeFileSync(path.join(nginx.dir, 'gunicorn.conf.py'), `bind = "127.0.0.1:${appPort}"\nworkers = 1\ntimeout = 5\n`);
    cfg = path.join(nginx.dir, 'haproxy.cfg');
    fs.writeFileSync(
      cfg,
      `global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 1s
frontend www
    bind 127.0.0.1:${lbPort}
    default_backend web
backend web
    server n1 127.0.0.1:${nginx.port}
`,
    );
    app = await startGunicorn(nginx.dir, 'gunicorn.conf.py', appPort);
    lb = await startLb();
  });

  after(() => {
    lb?.stop();
    app?.stop();
    nginx?.stop();
    if (nginx) fs.rmSync(nginx.dir, { recursive: true, force: true });
  });

  it('before: HAProxy answers 504 (sH) for a 2 s request that nginx would have waited 10 s for', async () => {
    assert.strictEqual(await get(lbPort, '/slow'), 504);
    const deadline = Date.now() + 10000;
    let log = '';
    while (Date.now() < deadline && !/ sH-- /.test(log)) {
      log = fs.readFileSync(path.join(nginx!.dir, 'haproxy.log'), 'utf8');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(log, / 504 .* sH-- /, log);
  });

  it('lint names the timeout server line, with nginx\'s read timeout as related information; after lint --fix it answers 200', async () => {
    const r = await runCli(['lint', nginx!.dir, '--format', 'json'], 30000);
    const { findings } = JSON.parse(r.stdout) as LintJson;
    const f = findings.find((x) => x.ruleId === 'topology/haproxy-timeout-below-nginx-timeout');
    assert.ok(f, r.stdout);
    assert.ok(f!.file.endsWith('haproxy.cfg'));
    assert.match(fs.readFileSync(cfg, 'utf8').split('\n')[f!.line - 1], /timeout server 1s/);
    assert.ok(f!.related.some((x) => x.file.endsWith('nginx.conf')), JSON.stringify(f!.related));
    await runCli(['lint', nginx!.dir, '--fix', '--format', 'json'], 30000);
    assert.match(fs.readFileSync(cfg, 'utf8'), /backend web\n\s+timeout server 15s\n/);
    const check = spawnSync(HAPROXY!, ['-c', '-f', cfg], { encoding: 'utf8' });
    assert.strictEqual(check.status, 0, check.stdout + check.stderr);
    lb!.stop();
    await lb!.exited;
    lb = await startLb();
    assert.strictEqual(await get(lbPort, '/slow'), 200);
  });
});

describe('the Caddy-side keep-alive fix keeps the Caddyfile valid (real caddy validate)', () => {
  it('transport http { keepalive … } added to a bare reverse_proxy, and changed where it is set', function () {
    if (!CADDY) this.skip();
    const c = topologyCases().find((x) => x.name === 'topology-caddy-keepalive-outlives-app')!;
    const tmp = copyDir(c.fires);
    try {
      const cf = path.join(tmp, 'Caddyfile');
      const caddySide = topologyOf(tmp).map((f) => f.fixes.find((x) => x.edits.every((e) => e.file === cf)));
      assert.strictEqual(caddySide.filter(Boolean).length, 2, 'a Caddy-side fix for each finding');
      const r = applyFixGroups(fs.readFileSync(cf, 'utf8'), caddySide.map((x) => x!.edits));
      fs.writeFileSync(cf, r.text);
      assert.match(r.text, /reverse_proxy \/api\/\* 127\.0\.0\.1:8000 \{\n\t\ttransport http \{\n\t\t\tkeepalive 1s\n\t\t\}\n\t\}  # expect/);
      assert.match(r.text, /keepalive 9s/);
      const v = caddyValidate(cf);
      assert.ok(v.ok, `${v.output}\n${r.text}`);
      assert.deepStrictEqual(topologyOf(tmp).map((f) => f.ruleId), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('Apache in front of gunicorn (real servers): the 502 and 503 the cross-layer rules predict, and their fixes', function () {
  this.timeout(90000);
  let dir = '';
  let app: Gunicorn | undefined;
  let httpd: Listening | undefined;
  let port = 0;
  let appPort = 0;

  const startHttpd = (): Promise<Listening> => {
    const wrapper = path.join(dir, 'wrapper.conf');
    fs.writeFileSync(wrapper, serverPreamble(dir, [`Listen 127.0.0.1:${port}`]) + `Include ${path.join(dir, 'httpd.conf')}\n`);
    return startListening(APACHE!, ['-f', wrapper, '-DFOREGROUND'], port);
  };
  const stopHttpd = async () => {
    httpd?.stop();
    await httpd?.exited;
  };

  before(async function () {
    if (!APACHE || !GUNICORN) {
      if (process.env.CI) throw new Error('apache2 and gunicorn are needed: bash scripts/setup.sh installs them');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-apache-topology-'));
    fs.mkdirSync(path.join(dir, 'logs'));
    port = await freePort();
    appPort = await freePort();
    const wrong = await freePort();
    fs.writeFileSync(path.join(dir, 'app.py'), APP);
    fs.writeFileSync(path.join(dir, 'gunicorn.conf.py'), `bind = "127.0.0.1:${appPort}"\nworkers = 1\ntimeout = 30\n`);
    fs.writeFileSync(
      path.join(dir, 'httpd.conf'),
      `ProxyTimeout 1\nProxyPass "/slow" "http://127.0.0.1:${appPort}/slow"\nProxyPassReverse "/slow" "http://127.0.0.1:${appPort}/slow"\nProxyPass "/moved/" "http://127.0.0.1:${wrong}/"\nProxyPassReverse "/moved/" "http://127.0.0.1:${wrong}/"\n`,
    );
    app = await startGunicorn(dir, 'gunicorn.conf.py', appPort);
    httpd = await startHttpd();
  });

  after(async () => {
    await stopHttpd();
    app?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('before: 502 with AH01102 (timeout) for /slow, 503 with AH00957 for /moved/', async () => {
    assert.strictEqual(await get(port, '/slow'), 502);
    assert.strictEqual(await get(port, '/moved/'), 503);
    const deadline = Date.now() + 5000;
    let log = '';
    while (Date.now() < deadline && !(/AH01102/.test(log) && /AH00957/.test(log))) {
      log = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(log, /The timeout specified has expired: .*AH01102: error reading status line from remote server/);
    assert.match(log, /AH00957: http: attempt to connect to/);
  });

  it('lint names both ProxyPass lines with gunicorn as related information; after lint --fix httpd accepts the file and both answer 200', async () => {
    const r = await runCli(['lint', dir, '--format', 'json'], 30000);
    const ids = (JSON.parse(r.stdout) as LintJson).findings.filter((f) => f.ruleId.startsWith('topology/')).map((f) => `${f.ruleId}@${f.line}`).sort();
    assert.deepStrictEqual(ids, ['topology/apache-target-without-listener@4', 'topology/apache-timeout-below-app-timeout@2']);
    await runCli(['lint', dir, '--fix', '--format', 'json'], 30000);
    const fixed = fs.readFileSync(path.join(dir, 'httpd.conf'), 'utf8');
    assert.match(fixed, /ProxyPass "\/slow" "http:\/\/127\.0\.0\.1:\d+\/slow" timeout=35/);
    assert.match(fixed, new RegExp(`ProxyPass "/moved/" "http://127\\.0\\.0\\.1:${appPort}/"`));
    await stopHttpd();
    httpd = await startHttpd();
    assert.strictEqual(await get(port, '/slow'), 200);
    assert.strictEqual(await get(port, '/moved/'), 200);
  });
});
