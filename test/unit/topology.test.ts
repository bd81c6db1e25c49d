// Cross-layer rules over fixture workspaces (nginx + gunicorn / uWSGI / PHP-FPM / Node), and the app-server
// readers on their own.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NodeFileHost } from '../../src/core/host';
import { lintOneFile, lintPaths } from '../../src/core/lint';
import { topologyRules } from '../../src/core/topology/rules';
import { docsFileName, Finding } from '../../src/core/finding';
import { parseGunicorn, pythonAssignments } from '../../src/core/configs/appServers/gunicorn';
import { parsePhpFpm, fpmSeconds } from '../../src/core/configs/appServers/phpFpm';
import { parseUwsgi } from '../../src/core/configs/appServers/uwsgi';
import { parseNodeServer } from '../../src/core/configs/appServers/nodeServer';
import { appServerConfigs } from '../../src/core/configs/appServers';
import { repoRoot } from '../support/fixtures';
import { copyDir, filesUnder, fixTopologyUntilStable, markMismatches, topologyCases, topologyOf, topologyOfParts } from '../support/topology';

describe('topology fixtures (cross-layer rules)', () => {
  const cases = topologyCases();

  it('every cross-layer rule has a doc page, a fires/ and a silent/ fixture workspace, and a README row', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const missing: string[] = [];
    for (const r of topologyRules) {
      const name = docsFileName(r.id).replace(/\.md$/, '');
      const doc = path.join(repoRoot, 'docs', 'rules', `${name}.md`);
      if (!fs.existsSync(doc) || !fs.readFileSync(doc, 'utf8').includes(r.id)) missing.push(`${r.id}: doc page`);
      const c = cases.find((x) => x.name === name);
      if (!c || !fs.existsSync(c.fires) || !fs.existsSync(c.silent)) missing.push(`${r.id}: fixture workspaces`);
      if (!readme.includes(r.id)) missing.push(`${r.id}: README`);
    }
    assert.deepStrictEqual(missing, []);
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('fires/ reports exactly where marked, with the app server as related information', () => {
        const findings = topologyOf(c.fires);
        assert.deepStrictEqual(markMismatches(c.fires, findings), []);
        assert.ok(findings.some((f) => docsFileName(f.ruleId) === c.name + '.md'), 'the rule did not fire');
        for (const f of findings) assert.ok(f.related.length > 0, `${f.ruleId} names only one end: ${f.message}`);
      });

      it('silent/ reports nothing', () => {
        assert.deepStrictEqual(topologyOf(c.silent).map((f) => `${path.relative(c.silent, f.file)}:${f.range.start.line + 1}: ${f.ruleId}: ${f.message}`), []);
      });

      it('fixes leave no fixable cross-layer finding behind and keep every line the user wrote', () => {
        const tmp = copyDir(c.fires);
        try {
          const before = new Map(filesUnder(tmp).map((f) => [f, fs.readFileSync(f, 'utf8')]));
          fixTopologyUntilStable(tmp);
          assert.deepStrictEqual(topologyOf(tmp).filter((f) => f.fixes.length > 0).map((f) => `${f.ruleId}@${path.relative(tmp, f.file)}:${f.range.start.line + 1}`), []);
          for (const [file, text] of before) {
            const after = fs.readFileSync(file, 'utf8');
            for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
              const head = line.split(/[\s=]+/)[0];
              assert.ok(after.includes(line) || after.split('\n').some((l) => l.trim().startsWith(head)), `fix lost in ${path.basename(file)}: ${line}`);
            }
          }
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }
});

describe('cross-layer findings through the lint entry points', () => {
  const dir = path.join(repoRoot, 'test', 'fixtures', 'topology', 'topology-upstream-keepalive-outlives-app', 'fires');

  it('a folder scan finds the app servers itself, and agrees with the parts put together by hand', () => {
    const key = (f: Finding) => `${f.ruleId}@${f.file}:${f.range.start.line}`;
    assert.deepStrictEqual(topologyOf(dir).map(key), topologyOfParts(dir).map(key));
    assert.ok(lintPaths([dir], { host: new NodeFileHost() }).files.some((f) => f.endsWith('gunicorn.conf.py')), 'the app file is listed as read');
  });

  it('an app-server file given by name is read as one, not as a broken nginx config', () => {
    const r = lintPaths([path.join(dir, 'gunicorn.conf.py'), path.join(dir, 'server.js')], { host: new NodeFileHost() });
    assert.deepStrictEqual(r.findings.map((f) => f.ruleId), []);
  });

  it('the editor path (lintOneFile with the index\'s app-server files) reports on the nginx file', () => {
    const conf = path.join(dir, 'nginx.conf');
    const host = new NodeFileHost();
    const without = lintOneFile(conf, [conf], { host }).filter((f) => f.ruleId.startsWith('topology/'));
    assert.deepStrictEqual(without, [], 'no app servers given: nothing to compare');
    const withApps = lintOneFile(conf, [conf], { host, appServerFiles: [path.join(dir, 'gunicorn.conf.py'), path.join(dir, 'server.js')] });
    assert.deepStrictEqual(withApps.filter((f) => f.ruleId.startsWith('topology/')).map((f) => f.range.start.line + 1), [6, 11]);
    // Unsaved text of the app file counts (the editor's overlay): keepalive raised above nginx's 60 s.
    const overlay = new Map([[path.join(dir, 'gunicorn.conf.py'), 'bind = "127.0.0.1:8000"\nworker_class = "gthread"\nkeepalive = 75\n']]);
    const edited = lintOneFile(conf, [conf], { host: new NodeFileHost(overlay), appServerFiles: [...overlay.keys(), path.join(dir, 'server.js')] });
    assert.deepStrictEqual(edited.filter((f) => f.ruleId.startsWith('topology/')).map((f) => f.range.start.line + 1), [11]);
  });
});

describe('which app servers belong with which nginx', () => {
  it('two stacks side by side: each nginx is compared with its own app servers only', () => {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-stacks-'));
    try {
      const w = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), text);
      };
      // The outer nginx proxies to 3000, which nothing in the workspace describes; the stack/ folder has
      // its own nginx and gunicorn. The outer one must not be told "no app server listens on 3000".
      w('nginx.conf', 'events {}\nhttp { server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:3000; } } }\n');
      w('stack/nginx.conf', 'events {}\nhttp { server { listen 127.0.0.1:8090; location / { proxy_pass http://127.0.0.1:8001; } } }\n');
      w('stack/gunicorn.conf.py', 'bind = "127.0.0.1:8000"\n');
      const f = topologyOf(tmp);
      assert.deepStrictEqual(f.map((x) => `${path.relative(tmp, x.file)}:${x.range.start.line + 1} ${x.ruleId}`), ['stack/nginx.conf:2 topology/pass-target-without-listener']);
      // The editor path agrees (all nginx files of the workspace are its candidates).
      const host = new NodeFileHost();
      const candidates = [path.join(tmp, 'nginx.conf'), path.join(tmp, 'stack', 'nginx.conf')];
      const outer = lintOneFile(candidates[0], candidates, { host, appServerFiles: [path.join(tmp, 'stack', 'gunicorn.conf.py')] });
      assert.deepStrictEqual(outer.filter((x) => x.ruleId.startsWith('topology/')), []);
      // An app file itself is never linted as nginx.
      assert.deepStrictEqual(lintOneFile(path.join(tmp, 'stack', 'gunicorn.conf.py'), candidates, { host }), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('app servers started from a command line', () => {
  it('Procfile, Dockerfile (exec and shell form, continued lines) and compose (string and list) are read', () => {
    const p = appServerConfigs('/w/Procfile', 'web: gunicorn -b 0.0.0.0:8000 --timeout=120 app:app\nworker: celery -A app worker\n');
    assert.deepStrictEqual(p.map((c) => [c.label, c.listeners[0].port, c.requestTimeout?.ms]), [['gunicorn (Procfile web)', 8000, 120000]]);
    assert.deepStrictEqual(p[0].requestTimeout?.range, { start: { line: 0, character: 40 }, end: { line: 0, character: 43 } }, 'the value inside --timeout=120');
    const d = appServerConfigs('/w/Dockerfile', 'FROM python:3.12\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", \\\n     "-k", "gthread", "--keep-alive", "5", "app:app"]\n');
    assert.deepStrictEqual([d[0].label, d[0].listeners[0].port, d[0].idleKeepAlive?.ms, d[0].idleKeepAlive?.quote], ['gunicorn (Dockerfile CMD)', 8000, 5000, '"']);
    const s = appServerConfigs('/w/Dockerfile', 'CMD uwsgi --http-socket :9000 \\\n  --harakiri 30 --module app\n');
    assert.deepStrictEqual([s[0].kind, s[0].listeners[0].protocol, s[0].listeners[0].port, s[0].requestTimeout?.ms], ['uwsgi', 'http', 9000, 30000]);
    const c = appServerConfigs('/w/docker-compose.yml', 'services:\n  app:\n    command: gunicorn -w 4 -b 0.0.0.0:8000 app:app\n  api:\n    command: ["python", "-m", "gunicorn", "-k", "gevent", "--bind", "0.0.0.0:8001"]\n  db:\n    image: postgres\n');
    assert.deepStrictEqual(c.map((x) => [x.label, x.listeners[0].port, x.requestTimeout?.ms]), [['gunicorn (docker-compose.yml service app)', 8000, 30000], ['gunicorn (docker-compose.yml service api)', 8001, undefined]]);
    assert.deepStrictEqual(appServerConfigs('/w/docker-compose.yml', 'services: [unbalanced\n'), []);
    const started = Date.now();
    assert.deepStrictEqual(appServerConfigs('/w/docker-compose.yml', 'services:\n  app:\n    command: gunicorn app:app\n' + '# x\n'.repeat(3 << 20)), []);
    assert.ok(Date.now() - started < 2000, 'a huge compose file is not parsed');
    assert.deepStrictEqual(appServerConfigs('/w/Dockerfile', 'FROM nginx\nCMD ["nginx", "-g", "daemon off;"]\n'), []);
  });

  it('a compose file feeds the cross-layer rules; the fix edits the flag in place, quotes kept, and the YAML stays valid', () => {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-compose-'));
    try {
      fs.writeFileSync(path.join(tmp, 'nginx.conf'), 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8000;\n        keepalive 8;\n    }\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n        }\n    }\n}\n');
      const compose = path.join(tmp, 'docker-compose.yml');
      fs.writeFileSync(compose, 'services:\n  app:\n    command: ["gunicorn", "-k", "gthread", "--keep-alive", "5", "-b", "127.0.0.1:8000", "app:app"]\n');
      const f = topologyOf(tmp);
      assert.deepStrictEqual(f.map((x) => `${x.ruleId}@${x.range.start.line + 1}`), ['topology/upstream-keepalive-outlives-app@5']);
      assert.match(f[0].message, /gunicorn \(docker-compose\.yml service app\) closes an idle connection after 5 s \(--keep-alive = 5\)/);
      assert.strictEqual(f[0].fixes[0].edits[0].file, compose);
      fixTopologyUntilStable(tmp);
      const after = fs.readFileSync(compose, 'utf8');
      assert.match(after, /"--keep-alive", "65"/);
      assert.doesNotThrow(() => JSON.parse(after.slice(after.indexOf('['), after.lastIndexOf(']') + 1)));
      assert.deepStrictEqual(topologyOf(tmp), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('compose service names as nginx targets', () => {
  const nginxTo = (target: string) => `events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://${target};\n        }\n    }\n}\n`;
  const run = (bind: string, target: string) => {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-compose-svc-'));
    fs.mkdirSync(path.join(tmp, 'nginx'));
    fs.writeFileSync(path.join(tmp, 'nginx', 'nginx.conf'), nginxTo(target));
    fs.writeFileSync(path.join(tmp, 'docker-compose.yml'), `services:\n  nginx:\n    image: nginx:1.27\n  app:\n    command: gunicorn --bind ${bind} app:app\n`);
    return tmp;
  };

  it('the service binds its own loopback: nginx in another container cannot reach it; the fix binds 0.0.0.0', () => {
    const tmp = run('127.0.0.1:8000', 'app:8000');
    try {
      const f = topologyOf(tmp);
      assert.deepStrictEqual(f.map((x) => x.ruleId), ['topology/pass-target-without-listener']);
      assert.match(f[0].message, /compose service app on port 8000, and gunicorn \(docker-compose\.yml service app\) listens on 127\.0\.0\.1:8000: the loopback of its own container/);
      fixTopologyUntilStable(tmp);
      assert.match(fs.readFileSync(path.join(tmp, 'docker-compose.yml'), 'utf8'), /gunicorn --bind 0\.0\.0\.0:8000 app:app/);
      assert.deepStrictEqual(topologyOf(tmp), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the service listens on another port: the fix points nginx at it', () => {
    const tmp = run('0.0.0.0:8001', 'app:8000');
    try {
      const f = topologyOf(tmp);
      assert.deepStrictEqual(f.map((x) => x.ruleId), ['topology/pass-target-without-listener']);
      fixTopologyUntilStable(tmp);
      assert.match(fs.readFileSync(path.join(tmp, 'nginx', 'nginx.conf'), 'utf8'), /proxy_pass http:\/\/app:8001;/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('bound to 0.0.0.0 on the right port: silent', () => {
    const tmp = run('0.0.0.0:8000', 'app:8000');
    try {
      assert.deepStrictEqual(topologyOf(tmp), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('app-server readers', () => {
  it('gunicorn: top-level literal assignments only, the last one winning; computed values unknown', () => {
    const text = ['import os', 'bind = ["127.0.0.1:8000", "unix:/run/app.sock"]  # both', 'timeout = 60', 'if os.environ.get("X"):', '    timeout = 5', 'timeout = 90', 'workers = os.cpu_count() * 2', 'keepalive = """', 'x"""', ''].join('\n');
    const a = pythonAssignments(text);
    assert.deepStrictEqual(a.map((x) => x.name), ['bind', 'timeout', 'timeout', 'workers', 'keepalive']);
    const cfg = parseGunicorn('/w/gunicorn.conf.py', text);
    assert.deepStrictEqual(cfg.listeners.map((l) => [l.host, l.port, l.socket]), [['127.0.0.1', 8000, undefined], [undefined, undefined, '/run/app.sock']]);
    assert.strictEqual(cfg.requestTimeout?.ms, 90000);
    assert.strictEqual(cfg.requestTimeout?.range.start.line, 5);
    assert.strictEqual(cfg.idleKeepAlive?.ms, 0, 'sync workers close every connection');
  });

  it('gunicorn: defaults when nothing is set; threads > 1 makes the sync worker gthread', () => {
    const d = parseGunicorn('/w/gunicorn.conf.py', '');
    assert.deepStrictEqual([d.listeners[0].host, d.listeners[0].port, d.listeners[0].isDefault], ['127.0.0.1', 8000, true]);
    assert.strictEqual(d.requestTimeout?.ms, 30000);
    const t = parseGunicorn('/w/gunicorn.conf.py', 'threads = 8\n');
    assert.strictEqual(t.requestTimeout, undefined, 'gthread workers heartbeat: timeout does not bound a request');
    assert.deepStrictEqual([t.idleKeepAlive?.ms, t.idleKeepAlive?.isDefault], [2000, true]);
  });

  it('PHP-FPM: pools, $pool in the listen path, request_terminate_timeout units', () => {
    const pools = parsePhpFpm('/w/www.conf', '[global]\nerror_log = x\n[www]\nlisten = /run/php/$pool.sock\npm = static\nrequest_terminate_timeout = 2m ; two minutes\n[api]\nlisten = 127.0.0.1:9001\npm = static\n');
    assert.deepStrictEqual(pools.map((p) => [p.label, p.listeners[0].socket ?? p.listeners[0].port, p.requestTimeout?.ms]), [['PHP-FPM pool www', '/run/php/www.sock', 120000], ['PHP-FPM pool api', 9001, 0]]);
    assert.deepStrictEqual([fpmSeconds('30'), fpmSeconds('1h'), fpmSeconds('x')], [30, 3600, undefined]);
  });

  it('uWSGI: socket protocols, the `protocol` option, placeholders skipped, harakiri', () => {
    const c = parseUwsgi('/w/uwsgi.ini', '[uwsgi]\nsocket = :3031\nhttp-socket = 127.0.0.1:8000\nsocket = %(base)/app.sock\nfastcgi-socket = /tmp/f.sock\nharakiri = 20\n')!;
    assert.deepStrictEqual(c.listeners.map((l) => [l.protocol, l.host, l.port ?? l.socket]), [['uwsgi', undefined, 3031], ['http', '127.0.0.1', 8000], ['fastcgi', undefined, '/tmp/f.sock']]);
    assert.strictEqual(c.requestTimeout?.ms, 20000);
    const h = parseUwsgi('/w/uwsgi.ini', '[uwsgi]\nprotocol = http\nsocket = :8000\n')!;
    assert.strictEqual(h.listeners[0].protocol, 'http');
  });

  it('Node: literal listen ports and keepAliveTimeout; the default follows the Node version', () => {
    const src = "const app = express();\nconst server = app.listen(process.env.PORT || 3000);\nserver.keepAliveTimeout = 61 * 1000;\n";
    const c = parseNodeServer('/w/server.js', src)!;
    assert.deepStrictEqual([c.listeners[0].port, c.idleKeepAlive?.ms, c.idleKeepAlive?.isDefault], [3000, 61000, false]);
    const d = parseNodeServer('/w/server.js', 'http.createServer(h).listen(8080);\n')!;
    assert.strictEqual(d.idleKeepAlive?.ms, 5000);
    assert.strictEqual(parseNodeServer('/w/server.js', 'http.createServer(h).listen(8080);\n', 26)!.idleKeepAlive?.ms, 65000);
    assert.strictEqual(parseNodeServer('/w/server.js', 'http.createServer(h).listen(8080);\nserver.keepAliveTimeout = 0;\n')!.idleKeepAlive?.ms, Infinity);
    assert.strictEqual(parseNodeServer('/w/server.js', 'console.log(1)\n'), undefined);
  });

  it('bad input: binary, truncated and unbalanced files give no config and no throw', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.doesNotThrow(() => pythonAssignments(junk));
    assert.doesNotThrow(() => parseGunicorn('/w/gunicorn.conf.py', 'bind = ["127.0.0.1:8000", \ntimeout = '));
    assert.doesNotThrow(() => parseGunicorn('/w/gunicorn.conf.py', 'x = "unterminated\ntimeout = 10\n'));
    assert.strictEqual(parseGunicorn('/w/gunicorn.conf.py', 'x = "unterminated\ntimeout = 10\n').requestTimeout?.ms, 10000);
    assert.doesNotThrow(() => parseUwsgi('/w/uwsgi.ini', '[uwsgi\nsocket = '));
    assert.doesNotThrow(() => parsePhpFpm('/w/www.conf', junk));
    const big = 'x = 1\n'.repeat(500000) + 'timeout = 7\n';
    assert.strictEqual(parseGunicorn('/w/gunicorn.conf.py', big).requestTimeout?.ms, 7000);
  });
});
