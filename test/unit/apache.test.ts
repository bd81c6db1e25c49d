// The Apache side of the core: lines, words and ranges as httpd reads them (continuations, line-start
// comments, quotes, containers), unbalanced containers, Include expansion (globs, folders, ServerRoot,
// cycles, missing files), scopes and inheritance, which files are Apache files (sites-enabled/ shared with
// nginx), bad input (binary, BOM, CRLF, huge, deep), the lint entry points and the CLI.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { parseApache } from '../../src/core/configs/apache/parser';
import { ApacheConfig, parseSeconds } from '../../src/core/configs/apache/config';
import { isApacheFileName, looksLikeApache } from '../../src/core/configs/apache/lint';
import { ApacheSourceCache, buildApacheTree } from '../../src/core/configs/apache/tree';
import { covers } from '../../src/core/configs/apache/rules/proxyPassShadowed';
import { ApacheExplanation, explainApacheAt, renderApacheHover } from '../../src/core/configs/apache/hover';
import { MemoryFileHost } from '../../src/core/host';
import { configKindOf, lintOneFile, lintPaths } from '../../src/core/lint';
import { Finding } from '../../src/core/finding';
import { applyEdits } from '../../src/core/fixes';

const summary = (fs: Finding[]) => fs.map((f) => `${path.basename(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.ruleId}`);
const memory = (files: Record<string, string>) => new MemoryFileHost(new Map(Object.entries(files)));
const lintText = (text: string, name = '/w/apache2/apache2.conf') => lintPaths([name], { host: memory({ [name]: text }) }).findings;

describe('Apache parser', () => {
  it('one directive per line, words with exact offsets, quotes removed (\\" kept as a quote)', () => {
    const text = '  ProxyPass  "/a b/"  http://x/ \'q\\\'d\'\nHeader set X "say \\"hi\\""\n';
    const [pp, h] = parseApache('x.conf', text).directives;
    assert.strictEqual(pp.name, 'ProxyPass');
    assert.strictEqual(pp.key, 'proxypass');
    assert.deepStrictEqual(pp.args.map((a) => a.value), ['/a b/', 'http://x/', "q'd"]);
    assert.strictEqual(text.slice(pp.args[0].start, pp.args[0].end), '"/a b/"');
    assert.strictEqual(text.slice(pp.start, pp.end), 'ProxyPass  "/a b/"  http://x/ \'q\\\'d\'');
    assert.deepStrictEqual(h.args.map((a) => a.value), ['set', 'X', 'say "hi"']);
    assert.strictEqual(h.line, 1);
  });

  it('a backslash before the line break joins lines; offsets still point into the right physical line', () => {
    const text = 'ProxyPass /app/ \\\n    http://127.0.0.1:9001/ \\\r\n    timeout=5\nServerName x\n';
    const [pp, sn] = parseApache('x.conf', text).directives;
    assert.deepStrictEqual(pp.args.map((a) => a.value), ['/app/', 'http://127.0.0.1:9001/', 'timeout=5']);
    assert.strictEqual(text.slice(pp.args[1].start, pp.args[1].end), 'http://127.0.0.1:9001/');
    assert.strictEqual(text.slice(pp.args[2].start, pp.args[2].end), 'timeout=5');
    assert.deepStrictEqual([pp.line, pp.lastLine, sn.line], [0, 2, 3]);
  });

  it('# is a comment only at the start of a line, and a comment ending in \\ swallows the next line (as httpd does)', () => {
    const d = parseApache('x.conf', '# c \\\nProxyPass /hidden http://x\n  # indented comment\nErrorLog a#b\n').directives;
    assert.deepStrictEqual(d.map((x) => `${x.name} ${x.args.map((a) => a.value).join(' ')}`), ['ErrorLog a#b']);
  });

  it('containers nest with their closing tags; names compare without case', () => {
    const text = '<VirtualHost *:80>\n  <Location "/a/">\n    ProxyPass http://x/\n  </location>\n</VirtualHost>\n';
    const [vh] = parseApache('x.conf', text).directives;
    assert.strictEqual(vh.key, 'virtualhost');
    assert.deepStrictEqual(vh.args.map((a) => a.value), ['*:80']);
    assert.strictEqual(text.slice(vh.start, vh.end), '<VirtualHost *:80>');
    const loc = vh.children![0];
    assert.deepStrictEqual(loc.args.map((a) => a.value), ['/a/']);
    assert.strictEqual(loc.children![0].key, 'proxypass');
    assert.strictEqual(text.slice(loc.close!.start, loc.close!.end), '</location>');
    assert.deepStrictEqual(parseApache('x.conf', text).problems, []);
  });

  it('reports unclosed, mismatched and stray tags and a header without ">", in httpd’s words', () => {
    const msgs = (t: string) => parseApache('x.conf', t).problems.map((p) => p.message.split(':')[0]);
    assert.deepStrictEqual(msgs('<VirtualHost *:80>\nServerName a\n'), ['<VirtualHost> was not closed']);
    assert.deepStrictEqual(msgs('<VirtualHost *:80>\n</Location>\n</VirtualHost>\n'), ['Expected </VirtualHost> but saw </Location>']);
    assert.deepStrictEqual(msgs('</Proxy>\n'), ['</Proxy> without matching <Proxy> section']);
    assert.deepStrictEqual(msgs('<VirtualHost *:80\n</VirtualHost>\n'), ["<VirtualHost> directive missing closing '>'"]);
    // Recovery: a closing tag for an outer container closes the inner ones too, and the rest still parses.
    const p = parseApache('x.conf', '<VirtualHost *:80>\n<Location />\n</VirtualHost>\nErrorLog /dev/null\n');
    assert.strictEqual(p.directives.length, 2);
    assert.strictEqual(p.directives[1].key, 'errorlog');
  });

  it('bad input: binary, BOM, CRLF, a 1 MB line, 100 levels of nesting, 40 MB: a clear problem, never a throw or a hang', () => {
    const bin = parseApache('x.conf', '\u0000\u0001\u0002ELF');
    assert.ok(bin.binary && /binary/.test(bin.problems[0].message));
    const bom = parseApache('x.conf', '\ufeffServerName a\r\nErrorLog b\r\n');
    assert.deepStrictEqual(bom.directives.map((d) => [d.name, d.args[0].value]), [['ServerName', 'a'], ['ErrorLog', 'b']]);
    const long = parseApache('x.conf', 'ServerName ' + 'a'.repeat((1 << 20) + 10) + '\nErrorLog x\n');
    assert.match(long.problems[0].message, /longer than/);
    assert.strictEqual(long.directives[0].key, 'errorlog');
    const deep = parseApache('x.conf', '<IfModule a>\n'.repeat(100) + 'ErrorLog /dev/null\n' + '</IfModule>\n'.repeat(100));
    assert.ok(deep.problems.some((p) => /deeper than/.test(p.message)));
    assert.ok(!deep.problems.some((p) => /without matching|was not closed/.test(p.message)), 'the skipped containers’ closing tags still match');
    const started = Date.now();
    const big = parseApache('x.conf', 'ProxyPass /a/ http://127.0.0.1:1/\n'.repeat(1200000));
    assert.strictEqual(big.directives.length, 1200000);
    assert.ok(Date.now() - started < 10000, 'linear');
    // A file cut off in a continuation or inside a quote.
    assert.deepStrictEqual(parseApache('x.conf', 'ProxyPass /a "http://x').directives[0].args.map((a) => a.value), ['/a', 'http://x']);
    assert.strictEqual(parseApache('x.conf', 'ServerName a \\').directives[0].args[0].value, 'a');
  });
});

describe('Apache includes and scopes', () => {
  it('Include globs and folders relative to the ServerRoot mapped into the workspace; IncludeOptional is quiet', () => {
    const host = memory({
      '/w/etc/apache2/apache2.conf': 'ServerRoot "/etc/apache2"\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\nInclude sites-enabled/\nInclude /etc/apache2/extra.conf\nInclude missing.conf\nIncludeOptional nothere/*.conf\n',
      '/w/etc/apache2/ports.conf': 'Listen 80\n',
      '/w/etc/apache2/conf-enabled/a.conf': 'ServerTokens Prod\n',
      '/w/etc/apache2/sites-enabled/shop.conf': '<VirtualHost *:80>\nServerName shop\n</VirtualHost>\n',
      '/w/etc/apache2/extra.conf': 'Timeout 30\n',
    });
    const tree = buildApacheTree('/w/etc/apache2/apache2.conf', new ApacheSourceCache(host));
    assert.deepStrictEqual([...tree.files.keys()].map((f) => path.relative('/w/etc/apache2', f)), ['apache2.conf', 'ports.conf', 'conf-enabled/a.conf', 'sites-enabled/shop.conf', 'extra.conf']);
    assert.deepStrictEqual(tree.problems.map((p) => `${p.kind}: ${p.message.split(' was')[0]}`), ["include-not-found: Include target 'missing.conf'"]);
    const cfg = new ApacheConfig(tree);
    assert.deepStrictEqual(cfg.vhosts.map((v) => v.label), ['<VirtualHost *:80> (shop)']);
    assert.strictEqual(cfg.effective(cfg.vhosts[0], 'timeout')?.d.args[0].value, '30', 'a vhost inherits from the main server');
  });

  it('RHEL layout: conf/httpd.conf with ServerRoot /etc/httpd reads conf.d/ and conf.modules.d/ beside conf/', () => {
    const host = memory({
      '/w/httpd/conf/httpd.conf': 'ServerRoot "/etc/httpd"\nInclude conf.modules.d/*.conf\nIncludeOptional conf.d/*.conf\n',
      '/w/httpd/conf.modules.d/00-proxy.conf': 'LoadModule proxy_module modules/mod_proxy.so\n',
      '/w/httpd/conf.d/shop.conf': 'ProxyPass /a/ http://127.0.0.1:1/\nProxyPassReverse /a/ http://127.0.0.1:1/\n',
    });
    const tree = buildApacheTree('/w/httpd/conf/httpd.conf', new ApacheSourceCache(host));
    assert.strictEqual(tree.files.size, 3);
    assert.deepStrictEqual(tree.problems, []);
  });

  it('include cycles are reported once per repeat and not followed', () => {
    const host = memory({ '/w/apache2/apache2.conf': 'Include a.conf\n', '/w/apache2/a.conf': 'Include b.conf\n', '/w/apache2/b.conf': 'Include a.conf\n' });
    const r = lintPaths(['/w/apache2'], { host });
    assert.deepStrictEqual(summary(r.findings), ['b.conf:1:1 apache/include-cycle']);
    assert.match(r.findings[0].message, /apache2\.conf → a\.conf → b\.conf → a\.conf/);
    assert.deepStrictEqual(r.roots, ['/w/apache2/apache2.conf']);
  });

  it('a vhost in sites-enabled is linted in the context of the apache2.conf that includes it (editor entry point)', () => {
    const files = {
      '/w/apache2/apache2.conf': 'SSLProxyEngine on\n<Proxy balancer://shop>\n    BalancerMember http://127.0.0.1:9001\n</Proxy>\nIncludeOptional sites-enabled/*.conf\n',
      '/w/apache2/sites-enabled/shop.conf': '<VirtualHost *:80>\n    ProxyPass /app/ balancer://shop/\n    ProxyPassReverse /app/ balancer://shop/\n    ProxyPass /pay/ https://pay.example/\n    ProxyPassReverse /pay/ https://pay.example/\n</VirtualHost>\n',
    };
    const site = '/w/apache2/sites-enabled/shop.conf';
    const host = memory(files);
    assert.deepStrictEqual(lintOneFile(site, Object.keys(files), { host }), [], 'balancer and SSLProxyEngine come from apache2.conf');
    // Alone, the same file has both problems.
    assert.deepStrictEqual(summary(lintOneFile(site, [site], { host })), ['shop.conf:2:21 apache/unknown-balancer', 'shop.conf:4:21 apache/https-backend-without-ssl-proxy-engine']);
    // A folder scan lints apache2.conf as the root and the site inside it: nothing to report.
    assert.deepStrictEqual(lintPaths(['/w'], { host }).findings, []);
  });

  it('sites-available/X enabled through sites-enabled/X is read once, inside apache2.conf; a site not enabled is linted on its own, warning only', () => {
    const vhost = (name: string) => `<VirtualHost *:80>\n    ProxyPass /app/ balancer://${name}/\n    ProxyPassReverse /app/ balancer://${name}/\n</VirtualHost>\n`;
    const host = memory({
      '/w/apache2/apache2.conf': '<Proxy balancer://shop>\n    BalancerMember http://127.0.0.1:9001\n</Proxy>\nIncludeOptional sites-enabled/*.conf\n',
      '/w/apache2/sites-available/shop.conf': vhost('shop'),
      '/w/apache2/sites-enabled/shop.conf': vhost('shop'),
      '/w/apache2/sites-available/old.conf': vhost('gone'),
    });
    const r = lintPaths(['/w/apache2'], { host });
    assert.deepStrictEqual(r.roots, ['/w/apache2/apache2.conf', '/w/apache2/sites-available/old.conf']);
    assert.deepStrictEqual(r.findings.map((f) => `${path.basename(f.file)}:${f.range.start.line + 1} ${f.ruleId} ${f.severity}`), ['old.conf:2 apache/unknown-balancer warning']);
    assert.match(r.findings[0].message, /Unless the main config/);
  });

  it('a vhost that turns SSLProxyEngine off does not inherit on; the fix turns its own line on', () => {
    const f = lintText('SSLProxyEngine on\n<VirtualHost *:80>\n    SSLProxyEngine off\n    ProxyPass /p/ https://x.example/\n    ProxyPassReverse /p/ https://x.example/\n</VirtualHost>\n');
    assert.deepStrictEqual(summary(f), ['apache2.conf:4:19 apache/https-backend-without-ssl-proxy-engine']);
    assert.strictEqual(f[0].fixes[0].title, 'Set `SSLProxyEngine on`');
    assert.deepStrictEqual(f[0].fixes[0].edits.map((e) => [e.range.start.line, e.newText]), [[2, 'on']]);
    assert.strictEqual(f[0].related[0].message, 'SSLProxyEngine set here');
  });

  it('ProxyPass in <Location> takes no path; a unix socket URL speaks HTTP to the part after |', () => {
    const f = lintText('<Location /app/>\n    ProxyPass unix:/run/app.sock|http://localhost/app/\n</Location>\n<Location /b/>\n    ProxyPass "unix:/run/b.sock|http://localhost/b"\n    ProxyPassReverse http://localhost/b/\n</Location>\n');
    assert.deepStrictEqual(summary(f), ['apache2.conf:2:15 apache/proxypass-without-reverse', 'apache2.conf:5:15 apache/proxypass-trailing-slash-mismatch']);
    assert.strictEqual(f[0].fixes[0].edits[0].newText, '\n    ProxyPassReverse unix:/run/app.sock|http://localhost/app/');
    assert.strictEqual(f[1].fixes[0].edits[0].newText, '"unix:/run/b.sock|http://localhost/b/"', 'quoted as written');
  });

  it('path matching stops at segment boundaries, as httpd does', () => {
    assert.ok(covers('/app', '/app/x'));
    assert.ok(covers('/app/', '/app/x'));
    assert.ok(covers('/', '/anything'));
    assert.ok(!covers('/app', '/application'));
    assert.ok(!covers('/app/x', '/app'));
  });

  it('the shadowed-ProxyPass fix moves the whole line (continuations too) above the one that hides it', () => {
    const text = 'ProxyPass /a/ http://127.0.0.1:1/a/\nProxyPassReverse /a/ http://127.0.0.1:1/a/\nProxyPass /a/b/ \\\n    http://127.0.0.1:2/\nProxyPassReverse /a/b/ http://127.0.0.1:2/\n';
    const name = '/w/apache2/apache2.conf';
    const host = memory({ [name]: text });
    const [f] = lintPaths([name], { host }).findings;
    assert.strictEqual(f.ruleId, 'apache/proxypass-shadowed');
    assert.strictEqual(f.related[0].range.start.line, 0);
    const fixed = applyEdits(text, f.fixes[0].edits).text;
    assert.strictEqual(fixed, 'ProxyPass /a/b/ \\\n    http://127.0.0.1:2/\nProxyPass /a/ http://127.0.0.1:1/a/\nProxyPassReverse /a/ http://127.0.0.1:1/a/\nProxyPassReverse /a/b/ http://127.0.0.1:2/\n');
    assert.deepStrictEqual(lintPaths([name], { host: memory({ [name]: fixed }) }).findings, []);
  });

  it('an unknown balancer is only a warning when an Include could not be followed', () => {
    const f = lintText('Include other.conf\nProxyPass /a/ balancer://elsewhere/\nProxyPassReverse /a/ balancer://elsewhere/\n');
    assert.deepStrictEqual(f.map((x) => `${x.ruleId} ${x.severity}`), ['apache/include-not-found info', 'apache/unknown-balancer warning']);
  });

  it('times in seconds, httpd’s units', () => {
    assert.deepStrictEqual(['60', '500ms', '2mi', '1hr', '5s', 'x'].map(parseSeconds), [60, 0.5, 120, 3600, 5, undefined]);
  });
});

describe('which files are Apache files', () => {
  it('by name and folder', () => {
    for (const f of ['/etc/apache2/apache2.conf', '/x/httpd.conf', '/x/extra/httpd-vhosts.conf', '/etc/apache2/ports.conf', '/etc/apache2/mods-enabled/proxy.load', '/etc/httpd/conf.d/ssl.conf', '/x/conf-enabled/security.conf']) {
      assert.ok(isApacheFileName(f), f);
    }
    for (const f of ['/etc/nginx/nginx.conf', '/x/apache2/envvars', '/x/apache2/.hidden.conf', '/x/sites-enabled/shop.conf']) assert.ok(!isApacheFileName(f), f);
  });

  it('sites-enabled/ and conf.d/ are shared with nginx: the content decides, and nginx files stay nginx', () => {
    const apache = '<VirtualHost *:80>\n    ServerName shop\n    ProxyPass / http://127.0.0.1:9001/\n</VirtualHost>\n';
    const nginx = 'server {\n    listen 80;\n    server_name shop;\n    location / { proxy_pass http://127.0.0.1:9001; }\n}\n';
    assert.strictEqual(configKindOf('/etc/apache2x/sites-enabled/shop.conf', () => apache), 'apache');
    assert.strictEqual(configKindOf('/srv/sites-enabled/shop', () => apache), 'apache');
    assert.strictEqual(configKindOf('/srv/sites-enabled/shop', () => nginx), 'nginx');
    assert.strictEqual(configKindOf('/srv/conf.d/shop.conf', () => nginx), 'nginx');
    assert.strictEqual(configKindOf('/srv/conf.d/shop.conf', () => apache), 'apache');
    assert.strictEqual(configKindOf('/srv/other.conf', () => 'ServerName a\nProxyPass / http://x/\n'), 'apache');
    assert.strictEqual(configKindOf('/srv/sites-enabled/empty', () => ''), 'nginx', 'an empty site file is nginx’s, as before');
    assert.ok(!looksLikeApache('# just a comment\nlisten 80;\n'));
  });
});

describe('Apache through the CLI', () => {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const CLI = path.join(repoRoot, 'dist', 'cli.js');
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-apache-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 20000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const SITE = '<VirtualHost *:80>\n    ServerName shop\n    ProxyPass /pay/ https://pay.example/\n</VirtualHost>\n';

  it('a folder with an Apache site and an nginx site in sites-enabled: each read as its own kind, JSON in the contract shape', () => {
    fs.mkdirSync(path.join(dir, 'sites-enabled'));
    fs.writeFileSync(path.join(dir, 'sites-enabled', 'shop.conf'), SITE);
    fs.writeFileSync(path.join(dir, 'sites-enabled', 'api'), 'server {\n    listen 127.0.0.1:8080;\n    location / {\n        return 204;\n    }\n}\n');
    const r = cli('lint', '.', '--format', 'json');
    // Without its apache2.conf the vhost may get SSLProxyEngine from the main config: a warning, exit 0.
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.findings[0].severity, 'warning');
    assert.match(out.findings[0].message, /unless the main config \(apache2\.conf, httpd\.conf\) turns it on/);
    assert.deepStrictEqual(
      out.findings.map((f: { file: string; line: number; column: number; ruleId: string }) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`),
      [path.join('sites-enabled', 'shop.conf') + ':3:21 apache/https-backend-without-ssl-proxy-engine', path.join('sites-enabled', 'shop.conf') + ':3:21 apache/proxypass-without-reverse'],
    );
    assert.deepStrictEqual(out.findings[0].fixes[0].edits, [{ file: path.join('sites-enabled', 'shop.conf'), line: 3, column: 1, endLine: 3, endColumn: 1, newText: '    SSLProxyEngine on\n' }]);
  });

  it('--fix adds SSLProxyEngine and ProxyPassReverse; the file then lints clean (exit 0); SARIF names the rules', () => {
    const file = path.join(dir, 'httpd.conf');
    fs.writeFileSync(file, SITE);
    const sarif = JSON.parse(cli('lint', 'httpd.conf', '--format', 'sarif').stdout);
    const ids = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    for (const res of sarif.runs[0].results) assert.ok(ids.includes(res.ruleId), res.ruleId);
    assert.strictEqual(cli('lint', 'httpd.conf', '--fix').code, 0);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '<VirtualHost *:80>\n    ServerName shop\n    SSLProxyEngine on\n    ProxyPass /pay/ https://pay.example/\n    ProxyPassReverse /pay/ https://pay.example/\n</VirtualHost>\n');
    assert.match(cli('lint', 'httpd.conf').stdout, /No findings in 1 file\./);
  });
});

describe('Apache hover on a ProxyPass', () => {
  const files = {
    '/w/apache2/apache2.conf': 'Timeout 30\nSSLProxyEngine on\nProxyPassReverse /api/ http://127.0.0.1:9001/\nIncludeOptional sites-enabled/*.conf\n',
    '/w/apache2/sites-enabled/shop.conf': '<VirtualHost *:80>\n    ServerName shop\n    ProxyTimeout 90\n    ProxyPass /api/ http://127.0.0.1:9001/api/ ttl=2\n    ProxyPass /pay/ https://pay.example/ timeout=5 disablereuse=On\n    ProxyPass /php/ fcgi://127.0.0.1:9000/srv/\n</VirtualHost>\n',
  };
  const site = '/w/apache2/sites-enabled/shop.conf';
  const at = (line: number, character = 6) => explainApacheAt({ file: site, position: { line, character }, candidates: Object.keys(files), host: memory(files) });
  const rows = (e: ApacheExplanation | undefined) => e!.rows.map((r) => `${r.name}: ${r.value} (${r.origin.kind === 'set' ? `${path.basename(r.origin.file)}:${r.origin.line + 1}` : r.origin.kind})`);

  it('shows where the request goes and every setting in effect, with where it comes from (the vhost, apache2.conf, the line, the default)', () => {
    const e = at(3);
    assert.strictEqual(e!.scope, '<VirtualHost *:80> (shop)');
    assert.strictEqual(e!.mapping, '/api/x → http://127.0.0.1:9001/api/x');
    assert.deepStrictEqual(rows(e), [
      'backend: `http://127.0.0.1:9001/api/` (line)',
      'timeout: 90 s (shop.conf:3)',
      'connection reuse: idle connections reused for up to 2 s (`ttl=2`) (line)',
      'ProxyPreserveHost: — (default)',
      'ProxyPassReverse: `/api/ http://127.0.0.1:9001/` (apache2.conf:3)',
    ]);
    assert.deepStrictEqual(rows(at(4)).slice(1), ['timeout: 5 s (line)', 'connection reuse: off (`disablereuse=On`): a new connection per request (line)', 'ProxyPreserveHost: — (default)', 'ProxyPassReverse: — (default)', 'SSLProxyEngine: `on` (apache2.conf:2)']);
    assert.deepStrictEqual(rows(at(5)).map((r) => r.split(':')[0]), ['backend', 'timeout', 'ProxyPreserveHost', 'ProxyPassReverse'], 'no pooling claim for FastCGI');
    const md = renderApacheHover(e!, { link: (f, l) => `[${path.basename(f)}:${l + 1}]` });
    assert.match(md, /\*\*ProxyPass\*\* in &lt;VirtualHost \*:80> \(shop\)/);
    assert.match(md, /\| timeout \| 90 s \| \[shop\.conf:3\] \|/);
  });

  it('only on the directive name of a ProxyPass line; the default Timeout is 60 s', () => {
    assert.strictEqual(at(3, 20), undefined);
    assert.strictEqual(at(1), undefined);
    const alone = explainApacheAt({ file: '/w/x.conf', position: { line: 0, character: 2 }, candidates: [], host: memory({ '/w/x.conf': 'ProxyPass / http://b/\n' }) });
    assert.deepStrictEqual(alone!.rows[1], { name: 'timeout', value: '60 s', origin: { kind: 'default', meaning: 'no `ProxyTimeout` or `Timeout`: httpd’s default `Timeout 60`' } });
  });
});
