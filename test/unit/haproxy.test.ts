// The HAProxy side of the core: words and ranges as HAProxy reads them, defaults inheritance, time units,
// which files are HAProxy files, bad input (binary, cut off, huge, BOM, CRLF), and the lint entry points.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseHaproxy } from '../../src/core/configs/haproxy/parser';
import { HaproxyConfig, parseTime, serverHost, isHostName } from '../../src/core/configs/haproxy/config';
import { isHaproxyFileName, lintHaproxyText, looksLikeHaproxy } from '../../src/core/configs/haproxy/lint';
import { MemoryFileHost, NodeFileHost } from '../../src/core/host';
import { explainHaproxyAt, renderHaproxyHover } from '../../src/core/configs/haproxy/hover';
import { configKindOf, discoverConfigFiles, lintOneFile, lintPaths } from '../../src/core/lint';
import { applyFixGroups } from '../../src/core/fixes';
import { Finding } from '../../src/core/finding';

const words = (line: string) => parseHaproxy('x.cfg', 'global\n' + line + '\n').sections[0].lines[0]?.words.map((w) => w.value);
const summary = (fs: Finding[]) => fs.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.ruleId}`);

const BASE = 'global\n    log stdout local0\ndefaults\n    mode http\n    timeout client 30s\n    timeout connect 5s\n    timeout server 30s\n';

describe('HAProxy parser', () => {
  it('splits words on spaces and tabs, with comments after an unprotected #', () => {
    assert.deepStrictEqual(words('  maxconn\t100   # a comment'), ['maxconn', '100']);
    assert.deepStrictEqual(words('log-format %{+Q}o\\ %t\\ %s#comment'), ['log-format', '%{+Q}o %t %s']);
    assert.deepStrictEqual(words('acl x path_reg \\#anchor'), ['acl', 'x', 'path_reg', '#anchor']);
  });

  it('weak and strong quoting, glued parts and escapes, as in the manual’s equivalent log-format lines', () => {
    const want = ['log-format', '%{+Q}o %t %s %{-Q}r'];
    for (const l of [
      'log-format %{+Q}o\\ %t\\ %s\\ %{-Q}r',
      'log-format "%{+Q}o %t %s %{-Q}r"',
      "log-format '%{+Q}o %t %s %{-Q}r'",
      'log-format "%{+Q}o %t"\' %s %{-Q}r\'',
      'log-format "%{+Q}o %t"\' %s\'\\ %{-Q}r',
    ]) {
      assert.deepStrictEqual(words(l), want, l);
    }
    assert.deepStrictEqual(words("x 'a\\nb' \"a\\nb\" \\x41\\\\"), ['x', 'a\\nb', 'a\nb', 'A\\']);
    assert.deepStrictEqual(words('x "# not a comment" \'#\''), ['x', '# not a comment', '#']);
  });

  it('keeps "${VAR}" as written and marks the word', () => {
    const p = parseHaproxy('x.cfg', 'global\n    log "${LOG_HOST-127.0.0.1}:514" local0\n');
    const w = p.sections[0].lines[0].words[1];
    assert.strictEqual(w.value, '${LOG_HOST-127.0.0.1}:514');
    assert.ok(w.env);
  });

  it('gives exact offsets for words and lines (CRLF too)', () => {
    const text = 'global\r\n    maxconn   100\r\nfrontend  "fe 1"  # c\r\n  bind :80\r\n';
    const p = parseHaproxy('x.cfg', text);
    const [g, fe] = p.sections;
    const w = g.lines[0].words[1];
    assert.strictEqual(text.slice(w.start, w.end), '100');
    assert.strictEqual(g.lines[0].line, 1);
    assert.strictEqual(fe.name, 'fe 1');
    assert.strictEqual(text.slice(fe.header.words[1].start, fe.header.words[1].end), '"fe 1"');
    assert.strictEqual(fe.lines[0].keyword, 'bind');
    assert.strictEqual(fe.lines[0].words[1].value, ':80', 'no \\r in the last word');
  });

  it('reads sections, names and `from`', () => {
    const p = parseHaproxy('x.cfg', 'defaults base\ndefaults web from base\nfrontend fe from web\nlisten old 0.0.0.0:80\nresolvers dns\n');
    assert.deepStrictEqual(
      p.sections.map((s) => [s.kind, s.name, s.from]),
      [
        ['defaults', 'base', undefined],
        ['defaults', 'web', 'base'],
        ['frontend', 'fe', 'web'],
        ['listen', 'old', undefined],
        ['resolvers', 'dns', undefined],
      ],
    );
    assert.deepStrictEqual(p.problems, []);
  });
});

describe('HAProxy effective values', () => {
  it('a proxy takes the last defaults before it, or the one named with `from`, and that one’s `from`', () => {
    const text = 'defaults a\n    timeout client 1s\ndefaults b from a\n    mode http\nbackend x\n    timeout server 2s\nbackend y from a\ndefaults\n    timeout client 9s\nfrontend z\n';
    const cfg = new HaproxyConfig(parseHaproxy('x.cfg', text), text);
    const [x, y, z] = cfg.proxies;
    assert.strictEqual(cfg.effective(x, 'timeout', 'client')?.line.words[2].value, '1s', 'b inherits from a');
    assert.ok(cfg.effective(x, 'timeout', 'client')?.inherited);
    assert.strictEqual(cfg.mode(x), 'http');
    assert.strictEqual(cfg.effective(x, 'timeout', 'server')?.inherited, false);
    assert.strictEqual(cfg.mode(y), 'tcp', 'from a: not b');
    assert.strictEqual(cfg.effective(z, 'timeout', 'client')?.line.words[2].value, '9s', 'the last defaults before it');
  });

  it('time units: bare numbers are milliseconds', () => {
    assert.deepStrictEqual(['100', '100ms', '5s', '2m', '1h', '1d', '500us', '5 s', 'x', ''].map(parseTime), [100, 100, 5000, 120000, 3600000, 86400000, 0.5, undefined, undefined, undefined]);
  });

  it('server addresses: host names, IPs and sockets', () => {
    assert.deepStrictEqual(['api.example.com:443', '10.0.0.1:80', '[::1]:443', 'ipv4@app:80', 'unix@/run/app.sock', '/run/x.sock', 'app'].map(serverHost), ['api.example.com', '10.0.0.1', '::1', 'app', undefined, undefined, 'app']);
    assert.deepStrictEqual(['api.example.com', '10.0.0.1', '::1', '*'].map(isHostName), [true, false, false, false]);
  });
});

describe('HAProxy files', () => {
  it('by name: haproxy.cfg, haproxy*.cfg/.conf, *.cfg under a haproxy folder', () => {
    assert.deepStrictEqual(
      ['/etc/haproxy/haproxy.cfg', 'haproxy-edge.cfg', 'haproxy.conf', '/etc/haproxy/conf.d/10-web.cfg', 'setup.cfg', '/x/nginx/haproxy.txt', '.haproxy.cfg'].map(isHaproxyFileName),
      [true, true, true, true, false, false, false],
    );
  });

  it('by content: a section header at the start of a line and an HAProxy keyword', () => {
    assert.ok(looksLikeHaproxy('global\n    daemon\nfrontend fe\n    bind :80\n'));
    assert.ok(!looksLikeHaproxy('[metadata]\nname = x\n'), 'setup.cfg');
    assert.ok(!looksLikeHaproxy('set timeout=5\nmenuentry "Debian" {\n'), 'grub.cfg');
    assert.ok(!looksLikeHaproxy('global\n'), 'one word is not enough');
  });

  it('configKindOf: names first, then content; nginx *.conf stays nginx', () => {
    assert.strictEqual(configKindOf('lb.cfg', () => 'defaults\n    mode http\nbackend b\n    server s 1.2.3.4:80\n'), 'haproxy');
    assert.strictEqual(configKindOf('lb.conf', () => 'defaults\n    mode http\nbackend b\n    server s 1.2.3.4:80\n'), 'haproxy');
    assert.strictEqual(configKindOf('site.conf', () => 'server {\n  listen 80;\n}\n'), 'nginx');
    assert.strictEqual(configKindOf('setup.cfg', () => '[metadata]\n'), undefined);
    assert.strictEqual(configKindOf('haproxy.cfg', () => assert.fail('not read: the name decides')), 'haproxy');
  });

  it('a folder scan finds HAProxy files beside nginx ones, and each is linted as what it is', () => {
    const host = new MemoryFileHost(
      new Map([
        ['/w/nginx.conf', 'events {}\nhttp {\n  upstream app { server 127.0.0.1:1; }\n}\n'],
        ['/w/lb/edge.cfg', BASE + 'frontend fe\n    bind :80\n    default_backend nope\n'],
        ['/w/setup.cfg', '[metadata]\nname = x\n'],
      ]),
    );
    assert.deepStrictEqual(discoverConfigFiles(host, '/w').sort(), ['/w/lb/edge.cfg', '/w/nginx.conf']);
    const r = lintPaths(['/w'], { host });
    assert.deepStrictEqual(r.findings.map((f) => `${f.file}:${f.range.start.line + 1} ${f.ruleId}`), ['/w/lb/edge.cfg:10 haproxy/unknown-backend']);
    assert.deepStrictEqual(r.roots.sort(), ['/w/lb/edge.cfg', '/w/nginx.conf']);
    assert.deepStrictEqual(lintOneFile('/w/lb/edge.cfg', ['/w/nginx.conf', '/w/lb/edge.cfg'], { host }).map((f) => f.ruleId), ['haproxy/unknown-backend']);
  });
});

describe('HAProxy rules in context', () => {
  it('a file without global and defaults (one of several -f files) is not judged on timeouts, and an unknown backend is a warning', () => {
    const f = lintHaproxyText('conf.d/20-web.cfg', 'frontend fe\n    bind :80\n    default_backend api\n');
    assert.deepStrictEqual(f.map((x) => `${x.ruleId} ${x.severity}`), ['haproxy/unknown-backend warning']);
    assert.match(f[0].message, /another file loaded with `-f`/);
  });

  it('dynamic and environment backend names are not checked', () => {
    assert.deepStrictEqual(summary(lintHaproxyText('h.cfg', BASE + 'frontend fe\n    bind :80\n    use_backend be_%[req.hdr(host)]\n    default_backend "${BE}"\n')), []);
  });

  it('two proxies sharing one defaults get one `timeout connect` line from --fix, not two', () => {
    const text = 'global\n    daemon\ndefaults\n    mode http\n    timeout client 5s\n    timeout server 5s\nbackend a\n    server s 127.0.0.1:1\nbackend b\n    server s 127.0.0.1:2\n';
    const findings = lintHaproxyText('h.cfg', text).filter((f) => f.ruleId === 'haproxy/missing-timeouts');
    assert.strictEqual(findings.length, 2);
    const fixed = applyFixGroups(text, findings.map((f) => f.fixes[0].edits)).text;
    assert.strictEqual(fixed.split('timeout connect 5s').length - 1, 1, fixed);
    assert.deepStrictEqual(summary(lintHaproxyText('h.cfg', fixed)), []);
  });

  it('server options: `check` after a valued keyword, `default-server check` in defaults', () => {
    const text = BASE + 'defaults\n    mode http\n    timeout client 1s\n    timeout connect 1s\n    timeout server 1s\n    default-server check\nbackend b\n    server a 127.0.0.1:1 weight 10\n    server c 127.0.0.1:2 inter 2s\n';
    assert.deepStrictEqual(summary(lintHaproxyText('h.cfg', text)), []);
  });
});

describe('HAProxy bad input', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-hbad-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const lint = (file: string) => lintPaths([file], { host: new NodeFileHost() }).findings;

  it('empty, comments only: no findings', () => {
    assert.deepStrictEqual(summary(lint(write('haproxy.cfg', ''))), []);
    assert.deepStrictEqual(summary(lint(write('haproxy.cfg', '\n# nothing\n   \r\n'))), []);
  });

  it('binary bytes: one finding that says so, nothing parsed', () => {
    const f = lint(write('haproxy.cfg', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])));
    assert.deepStrictEqual(f.map((x) => x.ruleId), ['haproxy/unreadable']);
    assert.match(f[0].message, /binary/);
  });

  it('cut mid-quote: the unmatched quote is pointed at, the rest still linted', () => {
    const f = lint(write('haproxy.cfg', BASE + 'frontend fe\n    bind :80\n    default_backend nope\n    http-request set-header X "unfinished'));
    assert.deepStrictEqual(summary(f), ['10:21 haproxy/unknown-backend', '11:31 haproxy/syntax']);
    assert.match(f[1].message, /unmatched double quote/);
  });

  it('keywords before any section, unnamed proxies and a BOM are syntax errors where HAProxy reports them', () => {
    const f = lint(write('haproxy.cfg', '\ufeffmaxconn 10\nglobal\n    daemon\nbackend\n    mode http\n'));
    assert.deepStrictEqual(summary(f), ['1:1 haproxy/syntax', '1:2 haproxy/syntax', '4:1 haproxy/syntax']);
    assert.match(f[0].message, /byte order mark/);
    assert.match(f[1].message, /'maxconn' appears before any section/);
  });

  it('a file that does not exist or is over the size limit is one finding', () => {
    assert.deepStrictEqual(lint(path.join(dir, 'haproxy.cfg')).map((f) => `${f.ruleId}: ${f.message}`), [`haproxy/unreadable: ${path.join(dir, 'haproxy.cfg')} does not exist`]);
    const big = write('haproxy.cfg', 'x'.repeat(2048));
    const f = lintPaths([big], { host: new NodeFileHost(new Map(), 1024) }).findings;
    assert.deepStrictEqual(f.map((x) => x.ruleId), ['haproxy/unreadable']);
    assert.match(f[0].message, /over the 0 MB limit|limit/);
  });

  it('a 40 MB config (20,000 backends) is linted in bounded time with its findings', function () {
    this.timeout(60000);
    const parts = [BASE, 'frontend fe\n    bind :80\n    default_backend b0\n'];
    for (let i = 0; i < 20000; i++) parts.push(`backend b${i}\n    server s${i} 10.0.${i >> 8 & 255}.${i & 255}:80${'    # padding '.repeat(140)}\n`);
    parts.push('backend empty\n');
    const text = parts.join('');
    assert.ok(text.length > 40e6, `${text.length} chars`);
    const started = Date.now();
    const f = lintHaproxyText('big.cfg', text);
    assert.ok(Date.now() - started < 30000, `took ${Date.now() - started} ms`);
    assert.deepStrictEqual(f.map((x) => x.ruleId), ['haproxy/backend-without-servers']);
  });

  it('a 1 MB line of garbage is skipped with a finding, not split', () => {
    const f = lintHaproxyText('h.cfg', 'global\n    ' + '"'.repeat(1 << 20) + 'x\n');
    assert.deepStrictEqual(f.map((x) => x.ruleId), ['haproxy/syntax']);
    assert.match(f[0].message, /longer than/);
  });
});

describe('HAProxy hover', () => {
  const text = 'defaults web\n    mode http\n    timeout client 30s\n    timeout connect 5s\nbackend app from web\n    timeout server 1m\n    server a 127.0.0.1:1\nfrontend fe\n    bind :80\n';

  it('on a backend header: its timeouts, from the section or its defaults, and what an unset one means', () => {
    const e = explainHaproxyAt('h.cfg', text, { line: 4, character: 9 })!;
    assert.ok(e, 'an explanation on the backend name');
    assert.strictEqual(e.section, "backend 'app'");
    assert.deepStrictEqual(e.range, { start: { line: 4, character: 8 }, end: { line: 4, character: 11 } });
    assert.deepStrictEqual(e.mode, { name: 'mode', value: 'http', origin: { kind: 'defaults', section: "defaults 'web'", line: 1 } });
    const byName = new Map(e.timeouts.map((r) => [r.name, r]));
    assert.deepStrictEqual([...byName.keys()], ['timeout connect', 'timeout server', 'timeout queue', 'timeout tunnel', 'timeout check'], 'a backend has no client side');
    assert.deepStrictEqual(byName.get('timeout server'), { name: 'timeout server', value: '1m', origin: { kind: 'here', line: 5 } });
    assert.strictEqual(byName.get('timeout connect')!.origin.kind, 'defaults');
    assert.match((byName.get('timeout queue')!.origin as { meaning: string }).meaning, /same as `timeout connect`/);
    const md = renderHaproxyHover(e, { link: (l) => `L${l + 1}` });
    assert.match(md, /\| timeout server \| `1m` \| this section, L6 \|/);
    assert.match(md, /\| timeout connect \| `5s` \| defaults 'web', L4 \|/);
  });

  it('on a `timeout` line it marks that timeout; a frontend with no defaults before it says client is not set', () => {
    const e = explainHaproxyAt('h.cfg', text, { line: 5, character: 6 })!;
    assert.strictEqual(e.hovered, 'server');
    assert.match(renderHaproxyHover(e, { link: String }), /\| \*\*timeout server\*\* \|/);
    const fe = explainHaproxyAt('h.cfg', 'frontend fe\n    bind :80\n', { line: 0, character: 2 })!;
    assert.strictEqual(fe.section, "frontend 'fe'");
    assert.match(renderHaproxyHover(fe, { link: String }), /timeout client \| — \| \*\*not set: HAProxy never drops an idle client\*\*/);
  });

  it('nothing elsewhere (a server line, a comment, past the end)', () => {
    assert.strictEqual(explainHaproxyAt('h.cfg', text, { line: 6, character: 6 }), undefined);
    assert.strictEqual(explainHaproxyAt('h.cfg', text, { line: 40, character: 0 }), undefined);
  });
});
