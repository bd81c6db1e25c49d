// Unit tests for the Caddyfile core: tokens and ranges as Caddy's lexer makes them, block structure,
// durations, file recognition, imports (files, globs, cycles), and bad input (binary, BOM, CRLF, huge,
// truncated) that must give a clear finding and never a throw or a hang.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NodeFileHost } from '../../src/core/host';
import { lexCaddyfile, parseCaddyfile, parseDuration, walkDirectives } from '../../src/core/configs/caddy/parser';
import { isCaddyFileName, lintCaddyFile, lintCaddyText, looksLikeCaddyfile } from '../../src/core/configs/caddy/lint';
import { configKindOf, lintPaths } from '../../src/core/lint';

const texts = (src: string) => lexCaddyfile(src, []).map((t) => t.text);

describe('Caddyfile lexer', () => {
  it('splits like Caddy: quotes and backticks only at a token start, # comments only at a token start', () => {
    assert.deepStrictEqual(texts('respond "a b" `c "d"` e"f a#b # comment\n'), ['respond', 'a b', 'c "d"', 'e"f', 'a#b']);
    assert.deepStrictEqual(texts('x "say \\"hi\\"" \\n'), ['x', 'say "hi"', '\\n']);
  });

  it('keeps exact offsets, and counts a quoted line break and a line continuation the way Caddy does', () => {
    const src = 'a "b\nc" d\ne \\\n f\ng';
    const toks = lexCaddyfile(src, []);
    assert.deepStrictEqual(toks.map((t) => [t.text, src.slice(t.start, t.end), t.line, t.endLine]), [
      ['a', 'a', 0, 0],
      ['b\nc', '"b\nc"', 0, 1],
      ['d', 'd', 1, 1],
      ['e', 'e', 2, 2],
      ['f', 'f', 2, 2], // the escaped line break keeps f on e's logical line
      ['g', 'g', 4, 4],
    ]);
  });

  it('reads a heredoc as one token with its indentation removed', () => {
    const toks = lexCaddyfile('respond <<HTML\n\t<p>{ not a block }</p>\n\tHTML 200\n', []);
    assert.deepStrictEqual(toks.map((t) => t.text), ['respond', '<p>{ not a block }</p>', '200']);
  });

  it('reports an unterminated quote once and finishes', () => {
    const problems: { message: string }[] = [];
    lexCaddyfile(':80 {\n\trespond "abc\n}\n', problems as never);
    assert.strictEqual(problems.length, 1);
    assert.match(problems[0].message, /unterminated double quote/);
  });
});

describe('Caddyfile parser', () => {
  it('global options, snippets, comma-continued addresses, nested blocks, and a `}` after the last option', () => {
    const p = parseCaddyfile('Caddyfile', '{\n\tadmin off\n}\n(common) {\n\tencode gzip\n}\na.example,\nb.example {\n\treverse_proxy x:1 y:2 {\n\t\tlb_try_duration 5s }\n\timport common\n}\n');
    assert.deepStrictEqual(p.problems, []);
    assert.deepStrictEqual(p.blocks.map((b) => [b.kind, b.name ?? b.keys.map((k) => k.text).join(' ')]), [
      ['global', ''],
      ['snippet', 'common'],
      ['site', 'a.example, b.example'],
    ]);
    const site = p.blocks[2];
    const names = [...walkDirectives(site.body)].map(({ directive, parents }) => `${parents.map((x) => x.name).join('>')}/${directive.name}`);
    assert.deepStrictEqual(names, ['/reverse_proxy', 'reverse_proxy/lb_try_duration', '/import']);
  });

  it('a lone site without braces takes the rest of the file', () => {
    const p = parseCaddyfile('Caddyfile', ':8080\nreverse_proxy 127.0.0.1:9\nencode gzip\n');
    assert.deepStrictEqual(p.problems, []);
    assert.deepStrictEqual(p.blocks[0].body.directives.map((d) => d.name), ['reverse_proxy', 'encode']);
  });

  it('reports what Caddy refuses: content after {, a glued brace, an unclosed block, a stray }', () => {
    const msgs = (src: string) => parseCaddyfile('Caddyfile', src).problems.map((p) => p.message);
    assert.match(msgs(':80 {\n\t@a { path /a }\n}\n')[0], /Unexpected next token after '\{'/);
    assert.match(msgs(':80{\n\trespond ok\n}\n')[0], /cannot end with a curly brace/);
    assert.match(msgs(':80 {\n\trespond ok\n')[0], /never closed/);
    assert.match(msgs(':80 {\n}\n}\n')[0], /unexpected '\}'/);
  });

  it('durations in Caddy’s format', () => {
    assert.strictEqual(parseDuration('30s'), 30000);
    assert.strictEqual(parseDuration('1m30s'), 90000);
    assert.strictEqual(parseDuration('500ms'), 500);
    assert.strictEqual(parseDuration('1.5h'), 5400000);
    assert.strictEqual(parseDuration('2d'), 172800000);
    assert.strictEqual(parseDuration('0'), 0);
    assert.strictEqual(parseDuration('5'), undefined, 'a bare number other than 0 has no unit');
    assert.strictEqual(parseDuration('soon'), undefined);
  });
});

describe('Caddyfile recognition', () => {
  it('by name, and by content under a caddy folder (not nginx, not JSON)', () => {
    for (const f of ['Caddyfile', '/etc/caddy/Caddyfile', 'x/site.caddyfile', 'Caddyfile.dev', 'a/app.caddy']) assert.ok(isCaddyFileName(f), f);
    for (const f of ['Caddyfile.json', 'caddy.json', '.Caddyfile', 'nginx.conf']) assert.ok(!isCaddyFileName(f), f);
    const site = 'app.example.com {\n\treverse_proxy app:8080\n}\n';
    assert.strictEqual(configKindOf('/srv/caddy/sites/app', () => site), 'caddy');
    assert.strictEqual(configKindOf('/srv/other/sites/app', () => site), undefined, 'outside a caddy folder only names count');
    assert.ok(!looksLikeCaddyfile('server {\n\tlisten 80;\n\tlocation / { proxy_pass http://a; }\n}\n'));
    assert.strictEqual(configKindOf('/srv/caddy/nginx.conf', () => 'events {}\nhttp {\n server { listen 80; }\n}\n'), 'nginx');
  });
});

describe('Caddyfile imports', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-caddy-import-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('snippets from an imported file count for the rules; a cycle between files is an error', () => {
    fs.writeFileSync(path.join(dir, 'retry.caddy'), '(retry) {\n\tlb_try_duration 5s\n}\n');
    const main = path.join(dir, 'Caddyfile');
    fs.writeFileSync(main, 'import retry.caddy\n:80 {\n\treverse_proxy a:1 b:2 {\n\t\timport retry\n\t}\n}\n');
    assert.deepStrictEqual(lintCaddyFile(main, new NodeFileHost()).map((f) => f.ruleId), []);
    fs.writeFileSync(path.join(dir, 'retry.caddy'), 'import Caddyfile\n(retry) {\n\tlb_try_duration 5s\n}\n');
    const cyc = lintCaddyFile(main, new NodeFileHost());
    assert.deepStrictEqual(cyc.map((f) => `${f.range.start.line + 1} ${f.ruleId} ${f.severity}`), ['1 caddy/import-cycle error']);
    assert.match(cyc[0].message, /Caddyfile → retry\.caddy → Caddyfile/);
  });

  it('an unresolved import inside reverse_proxy keeps the rules quiet; a missing glob is info, a missing snippet name a warning', () => {
    const main = path.join(dir, 'Caddyfile');
    fs.writeFileSync(main, 'import sites/*\n:80 {\n\treverse_proxy a:1 b:2 {\n\t\timport lbopts\n\t}\n}\n');
    assert.deepStrictEqual(lintCaddyFile(main, new NodeFileHost()).map((f) => `${f.range.start.line + 1} ${f.ruleId} ${f.severity}`), ['1 caddy/import-not-found info', '4 caddy/import-not-found warning']);
  });
});

describe('Caddyfile bad input', () => {
  it('binary text, a BOM, CRLF line ends, truncation, and a huge file give findings, never a throw', () => {
    assert.deepStrictEqual(lintCaddyText('Caddyfile', 'PK\u0003\u0004\u0000\u0000binary\u0000').map((f) => f.ruleId), ['caddy/unreadable']);
    const crlf = '\ufeff:80 {\r\n\treverse_proxy a:1 b:2\r\n}\r\n';
    const f = lintCaddyText('Caddyfile', crlf);
    assert.deepStrictEqual(f.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1} ${x.ruleId}`), ['2:2 caddy/upstreams-without-health-checks']);
    assert.strictEqual(f[0].range.end.character, '\treverse_proxy a:1 b:2'.length, 'the range ends before the \\r');
    const truncated = ':80 {\n\treverse_proxy a:1 b:2 {\n\t\tlb_try_dur';
    assert.ok(lintCaddyText('Caddyfile', truncated).some((x) => x.ruleId === 'caddy/syntax'));
    const huge = ':80 {\n' + '\trespond "x" 200\n'.repeat(400000) + '}\n';
    const t0 = Date.now();
    assert.deepStrictEqual(lintCaddyText('Caddyfile', huge), []);
    assert.ok(Date.now() - t0 < 10000, `6 MB took ${Date.now() - t0} ms`);
    const braces = '{\n'.repeat(50000);
    assert.ok(lintCaddyText('Caddyfile', braces).some((x) => x.ruleId === 'caddy/syntax'));
  });

  it('a folder scan lints a Caddyfile next to nginx files with the Caddy rules only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-caddy-scan-'));
    try {
      fs.writeFileSync(path.join(dir, 'Caddyfile'), ':80 {\n\treverse_proxy a:1 b:2\n}\n');
      fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp {\n  server {\n    listen 80;\n  }\n}\n');
      const r = lintPaths([dir], { host: new NodeFileHost() });
      assert.deepStrictEqual(r.findings.map((x) => `${path.basename(x.file)} ${x.ruleId}`), ['Caddyfile caddy/upstreams-without-health-checks']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
