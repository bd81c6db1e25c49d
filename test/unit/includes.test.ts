// Include expansion on real files: cycles, unreadable targets (directory, dangling symlink, FIFO), globs,
// relative and re-rooted absolute paths, snippets without `http`, and a file linted in its includer's
// context. Each case gives a clear finding and never throws or hangs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { FileReadError, NodeFileHost } from '../../src/core/host';
import { lintOneFile, lintPaths } from '../../src/core/lint';
import { buildTree, SourceCache } from '../../src/core/configs/nginx/tree';
import { Finding } from '../../src/core/finding';

let dir: string;

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function lint(...files: string[]): Finding[] {
  return lintPaths(files, { host: new NodeFileHost() }).findings;
}

/** The rules these tests are about; other rules may also speak about the same files, that is theirs to test. */
const ABOUT = new Set(['nginx/syntax', 'nginx/include-cycle', 'nginx/include-not-found', 'nginx/include-unreadable', 'nginx/unreadable', 'nginx/https-upstream-without-sni']);

function ids(findings: Finding[]): string[] {
  return findings.filter((f) => ABOUT.has(f.ruleId)).map((f) => `${path.relative(dir, f.file)}:${f.range.start.line + 1} ${f.ruleId}`);
}

function only(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

const SNI_SERVER = 'server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass https://api.example.com;\n    }\n}\n';

describe('includes', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-inc-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('cycles', () => {
    it('a → b → a: one include-cycle error at the include that closes the loop, linting either file', () => {
      const a = write('a.conf', 'events {}\nhttp {\n    include b.conf;\n}\n');
      const b = write('b.conf', 'include a.conf;\n');
      for (const findings of [lint(a), lint(b), lint(a, b)]) {
        const cycles = only(findings, 'nginx/include-cycle');
        assert.ok(cycles.length >= 1, ids(findings).join('\n'));
        assert.match(cycles[0].message, /include cycle/);
        assert.strictEqual(cycles[0].severity, 'error');
      }
      const c = only(lint(a), 'nginx/include-cycle');
      assert.deepStrictEqual(ids(c), ['b.conf:1 nginx/include-cycle']);
      assert.match(c[0].message, /a\.conf → b\.conf → a\.conf/);
    });

    it('a file that includes itself', () => {
      const a = write('self.conf', 'server { listen 80; }\ninclude self.conf;\n');
      assert.deepStrictEqual(ids(only(lint(a), 'nginx/include-cycle')), ['self.conf:2 nginx/include-cycle']);
    });

    it('a glob that matches the including file itself', () => {
      const a = write('sites/a.conf', 'include sites/*.conf;\nserver { listen 81; }\n');
      write('sites/b.conf', 'server { listen 82; }\n');
      const root = write('nginx.conf', 'events {}\nhttp {\n    include sites/*.conf;\n}\n');
      const findings = lint(root);
      const cycles = only(findings, 'nginx/include-cycle');
      assert.strictEqual(cycles.length, 1, ids(findings).join('\n'));
      assert.strictEqual(cycles[0].file, a);
      // b.conf is still read through both globs.
      assert.ok(buildTree(root, new SourceCache(new NodeFileHost())).files.has(path.join(dir, 'sites/b.conf')));
    });

    it('diamond includes (each file included twice, 24 levels) end with a finding, not an exponential hang', function () {
      this.timeout(60000);
      const levels = 24;
      for (let k = 0; k < levels; k++) write(`d${k}.conf`, `include d${k + 1}.conf;\ninclude d${k + 1}.conf;\n`);
      write(`d${levels}.conf`, 'server_tokens off;\n');
      const t0 = Date.now();
      const findings = lint(path.join(dir, 'd0.conf'));
      assert.ok(Date.now() - t0 < 30000);
      assert.ok(findings.some((f) => f.ruleId === 'nginx/include-cycle' && /more than/.test(f.message)), ids(findings).join('\n'));
    });
  });

  describe('unreadable includes', () => {
    it('an include naming a directory', () => {
      fs.mkdirSync(path.join(dir, 'conf.d'));
      const root = write('nginx.conf', 'events {}\nhttp {\n    include conf.d;\n}\n');
      const f = only(lint(root), 'nginx/include-unreadable');
      assert.strictEqual(f.length, 1);
      assert.match(f[0].message, /is a directory/);
      assert.deepStrictEqual([f[0].range.start.line, f[0].range.start.character], [2, 12], 'points at the argument');
    });

    it('a dangling symlink (the sites-enabled accident)', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    include sites-enabled/*;\n}\n');
      fs.mkdirSync(path.join(dir, 'sites-enabled'));
      fs.symlinkSync('../sites-available/gone', path.join(dir, 'sites-enabled', 'gone'));
      write('sites-available/ok', SNI_SERVER);
      fs.symlinkSync('../sites-available/ok', path.join(dir, 'sites-enabled', 'ok'));
      const findings = lint(root);
      const f = only(findings, 'nginx/include-unreadable');
      assert.strictEqual(f.length, 1, ids(findings).join('\n'));
      assert.match(f[0].message, /dangling symbolic link/);
      // The live link is still followed.
      assert.ok(findings.some((x) => x.ruleId === 'nginx/https-upstream-without-sni'), ids(findings).join('\n'));
    });

    it('a FIFO is never opened for a blocking read: include, glob and root alike', function () {
      this.timeout(10000);
      const fifo = path.join(dir, 'conf.d', 'pipe.conf');
      fs.mkdirSync(path.dirname(fifo));
      execFileSync('mkfifo', [fifo]);
      assert.throws(() => new NodeFileHost().readFile(fifo), (e: unknown) => e instanceof FileReadError && /named pipe/.test(e.message));
      const root = write('nginx.conf', 'events {}\nhttp {\n    include conf.d/pipe.conf;\n    include conf.d/*.conf;\n}\n');
      const f = only(lint(root), 'nginx/include-unreadable');
      assert.strictEqual(f.length, 2);
      assert.ok(f.every((x) => /not a regular file/.test(x.message)));
      assert.deepStrictEqual(lint(fifo).map((x) => x.ruleId), ['nginx/unreadable']);
      // Scanning the folder finds the FIFO by name and reports it, still without blocking.
      assert.ok(lint(dir).some((x) => x.ruleId === 'nginx/unreadable' && x.file === fifo));
    });

    it('an include target that is not in the workspace is an info finding; package files are expected to be missing', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    include mime.types;\n    include extra/app.conf;\n}\n');
      const f = lint(root);
      assert.deepStrictEqual(ids(f), ['nginx.conf:4 nginx/include-not-found']);
      assert.strictEqual(f[0].severity, 'info');
    });
  });

  describe('resolution', () => {
    it('globs expand sorted and skip dotfiles; relative paths resolve from the root file’s folder', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n');
      write('conf.d/b.conf', 'include snippets/proxy.conf;\n');
      write('conf.d/a.conf', 'server_tokens off;\n');
      write('conf.d/.hidden.conf', 'this is not parsed;\n');
      write('conf.d/readme.txt', 'not matched {');
      write('snippets/proxy.conf', 'proxy_read_timeout 30s;\n');
      const tree = buildTree(root, new SourceCache(new NodeFileHost()));
      assert.deepStrictEqual([...tree.files.keys()].map((f) => path.relative(dir, f)), ['nginx.conf', 'conf.d/a.conf', 'conf.d/b.conf', 'snippets/proxy.conf']);
      const http = tree.nodes.find((n) => n.d.name === 'http')!;
      // Included directives sit in the block that holds the include, in order.
      assert.deepStrictEqual(http.children!.map((c) => c.d.name), ['include', 'server_tokens', 'include', 'proxy_read_timeout']);
      assert.strictEqual(http.children![3].parent, http);
      assert.strictEqual(http.children![3].via!.d.file, path.join(dir, 'conf.d/b.conf'));
      assert.deepStrictEqual(ids(lint(root)), []);
    });

    it('a glob that matches nothing is silent, like nginx', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n');
      assert.deepStrictEqual(ids(lint(root)), []);
    });

    it('a workspace copy of /etc/nginx: absolute includes are re-rooted under the copy', () => {
      const root = write(
        'deploy/etc/nginx/nginx.conf',
        'events {}\nhttp {\n    include /etc/nginx/mime.types;\n    include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/sites-enabled/*;\n}\n',
      );
      write('deploy/etc/nginx/conf.d/app.conf', SNI_SERVER);
      write('deploy/etc/nginx/sites-enabled/default', 'server { listen 127.0.0.1:8081; }\n');
      const tree = buildTree(root, new SourceCache(new NodeFileHost()));
      // (mime.types is not in the copy: the server's own /etc/nginx/mime.types may be read instead, or nothing.)
      assert.deepStrictEqual(
        [...tree.files.keys()].filter((f) => f.startsWith(dir)).map((f) => path.relative(dir, f)),
        ['deploy/etc/nginx/nginx.conf', 'deploy/etc/nginx/conf.d/app.conf', 'deploy/etc/nginx/sites-enabled/default'],
      );
      const findings = lint(root);
      assert.deepStrictEqual(ids(findings), ['deploy/etc/nginx/conf.d/app.conf:4 nginx/https-upstream-without-sni']);
    });

    it('a folder scan lints included files inside their includer, once', () => {
      write('nginx.conf', 'events {}\nhttp {\n    proxy_ssl_server_name on;\n    include conf.d/*.conf;\n}\n');
      write('conf.d/app.conf', SNI_SERVER);
      const r = lintPaths([dir], { host: new NodeFileHost() });
      assert.deepStrictEqual(r.roots.map((f) => path.relative(dir, f)), ['nginx.conf']);
      assert.deepStrictEqual(ids(r.findings), [], 'proxy_ssl_server_name on is inherited from http');
    });
  });

  describe('context', () => {
    it('a conf.d snippet with no http block is linted as the inside of http', () => {
      const file = write('conf.d/app.conf', SNI_SERVER);
      assert.strictEqual(buildTree(file, new SourceCache(new NodeFileHost())).rootContext, 'http');
      assert.deepStrictEqual(ids(lint(file)), ['conf.d/app.conf:4 nginx/https-upstream-without-sni']);
    });

    it('a server-body and a location-body snippet get server and location context', () => {
      const s = write('snippets/srv.conf', 'listen 80;\nlocation / { return 204; }\n');
      const l = write('snippets/loc.conf', 'proxy_read_timeout 30s;\nproxy_pass http://127.0.0.1:9000;\n');
      const cache = new SourceCache(new NodeFileHost());
      assert.strictEqual(buildTree(s, cache).rootContext, 'server');
      assert.strictEqual(buildTree(l, cache).rootContext, 'location');
      assert.deepStrictEqual(ids(lint(s, l)), []);
    });

    it('lintOneFile: a file included from nginx.conf is linted in nginx.conf’s context (inherited settings count)', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    proxy_ssl_server_name on;\n    include conf.d/*.conf;\n}\n');
      const app = write('conf.d/app.conf', SNI_SERVER);
      const host = new NodeFileHost();
      assert.deepStrictEqual(ids(lintOneFile(app, [root, app], { host })), [], 'inherited from http in nginx.conf');
      // On its own (no includer among the candidates) the default applies and the rule fires.
      assert.deepStrictEqual(ids(lintOneFile(app, [app], { host })), ['conf.d/app.conf:4 nginx/https-upstream-without-sni']);
      // Unsaved editor text for the includer counts too: turning SNI off there makes the rule fire.
      const overlay = new Map([[root, 'events {}\nhttp {\n    proxy_ssl_server_name off;\n    include conf.d/*.conf;\n}\n']]);
      const f = lintOneFile(app, [root, app], { host: new NodeFileHost(overlay) });
      assert.deepStrictEqual(ids(f), ['conf.d/app.conf:4 nginx/https-upstream-without-sni']);
      assert.ok(f.find((x) => x.ruleId === 'nginx/https-upstream-without-sni')!.related.some((r) => r.file === root && /SNI turned off/.test(r.message)));
      // Findings are only those of the file asked about.
      assert.ok(f.every((x) => x.file === app));
    });

    it('lintOneFile: syntax errors of the open file come from its unsaved text', () => {
      const root = write('nginx.conf', 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n');
      const app = write('conf.d/app.conf', SNI_SERVER);
      const overlay = new Map([[app, 'server {\n    listen 80\n}\n']]);
      const f = lintOneFile(app, [root, app], { host: new NodeFileHost(overlay) });
      assert.deepStrictEqual(ids(f), ['conf.d/app.conf:2 nginx/syntax']);
    });
  });
});
