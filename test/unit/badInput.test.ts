// Inputs an editor meets while the user types or opens the wrong file: empty, binary, cut off, unbalanced,
// huge. Each gives a clear finding (or none, when there is nothing wrong) and never throws or hangs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NodeFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { Finding } from '../../src/core/finding';

let dir: string;

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function lint(file: string): Finding[] {
  return lintPaths([file], { host: new NodeFileHost() }).findings;
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.ruleId}: ${f.message}`);
}

/** Syntax findings only: other rules may also speak about a half-typed file, that is fine. */
function syntax(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.ruleId === 'nginx/syntax');
}

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

describe('bad input', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-bad-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an empty file: no findings, no error', () => {
    assert.deepStrictEqual(summary(lint(write('nginx.conf', ''))), []);
  });

  it('whitespace and comments only: no findings', () => {
    assert.deepStrictEqual(summary(lint(write('nginx.conf', '\n\n   \t\r\n# nothing here\n  \n'))), []);
  });

  it('a binary file (PNG bytes) is reported as not a config, once, and not parsed', () => {
    const findings = lint(write('nginx.conf', PNG));
    assert.strictEqual(findings.length, 1, summary(findings).join('\n'));
    assert.strictEqual(findings[0].ruleId, 'nginx/unreadable');
    assert.match(findings[0].message, /binary/);
  });

  describe('truncated files', () => {
    it('cut mid-directive: the directive is named as missing its ; and the open blocks as never closed', () => {
      const findings = syntax(lint(write('nginx.conf', 'events {}\nhttp {\n  server {\n    listen 80')));
      const messages = findings.map((f) => f.message);
      assert.ok(messages.some((m) => /'listen' directive is missing its ';'/.test(m)), messages.join('\n'));
      assert.ok(messages.some((m) => /'server' block opened here is never closed/.test(m)), messages.join('\n'));
      assert.ok(messages.some((m) => /'http' block opened here is never closed/.test(m)), messages.join('\n'));
      const server = findings.find((f) => /'server' block/.test(f.message))!;
      assert.deepStrictEqual([server.range.start.line, server.range.start.character], [2, 9], 'points at the server block’s {');
      assert.ok(findings.every((f) => f.severity === 'error'));
    });

    it('cut mid-quote: the unclosed string is pointed at where it starts', () => {
      const findings = syntax(lint(write('nginx.conf', 'http {\n  server {\n    return 200 "unfinished\n')));
      const quote = findings.find((f) => /quoted string is never closed/.test(f.message));
      assert.ok(quote, summary(findings).join('\n'));
      assert.deepStrictEqual([quote.range.start.line, quote.range.start.character], [2, 15]);
    });

    it('cut mid-block (after the last complete directive)', () => {
      const findings = syntax(lint(write('nginx.conf', 'http {\n  server {\n    listen 80;\n')));
      assert.strictEqual(findings.length, 2, summary(findings).join('\n'));
      assert.ok(findings.every((f) => /never closed/.test(f.message)));
    });

    it('cut inside a Lua block', () => {
      const findings = syntax(lint(write('nginx.conf', 'http { server { location / { content_by_lua_block { ngx.say("{") ')));
      assert.ok(findings.some((f) => /content_by_lua_block' block is never closed/.test(f.message)), summary(findings).join('\n'));
    });
  });

  describe('unbalanced braces', () => {
    it("an extra '}' is reported where it is", () => {
      const findings = syntax(lint(write('nginx.conf', 'events {}\nhttp {\n  server { listen 80; }\n  }\n}\n')));
      assert.strictEqual(findings.length, 1, summary(findings).join('\n'));
      assert.match(findings[0].message, /no open block to close/);
      assert.deepStrictEqual([findings[0].range.start.line, findings[0].range.start.character], [4, 0]);
    });

    it("a missing '}' is reported at the block that is never closed", () => {
      const findings = syntax(lint(write('nginx.conf', 'events {}\nhttp {\n  server {\n    listen 80;\n}\n')));
      assert.strictEqual(findings.length, 1, summary(findings).join('\n'));
      assert.match(findings[0].message, /'http' block opened here is never closed/);
      assert.strictEqual(findings[0].range.start.line, 1);
    });

    it("'{' with no directive name", () => {
      const findings = syntax(lint(write('nginx.conf', 'events {}\nhttp { { listen 80; } }\n')));
      assert.strictEqual(findings.length, 1, summary(findings).join('\n'));
      assert.match(findings[0].message, /without a directive name/);
    });
  });

  it('a 50 MB generated config finishes in bounded time and still reports what is in it (no-hang guard)', function () {
    this.timeout(120000);
    const parts = ['events {}\nhttp {\n'];
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const s =
        `  server {\n    listen 127.0.0.1:${10000 + (i % 50000)};\n    server_name s${i}.example.com;\n` +
        `    location /api/ {\n      proxy_pass http://10.0.${(i >> 8) & 255}.${i & 255}:8080;\n      proxy_read_timeout 30s;\n    }\n  }\n`;
      parts.push(s);
      size += s.length;
    }
    // Two known problems at the very end: a rule finding and a syntax error.
    parts.push('  server { location / { proxy_pass https://api.example.com; } }\n}\n}\n');
    const file = write('nginx.conf', parts.join(''));
    const t0 = Date.now();
    const findings = lint(file);
    const ms = Date.now() - t0;
    assert.ok(ms < 60000, `took ${ms} ms`);
    assert.ok(findings.some((f) => f.ruleId === 'nginx/https-upstream-without-sni'), summary(findings).join('\n'));
    assert.ok(findings.some((f) => f.ruleId === 'nginx/syntax' && /no open block/.test(f.message)), summary(findings).join('\n'));
  });

  it('a file over the size limit is reported, not read', () => {
    const file = write('nginx.conf', 'x'.repeat(2048));
    const findings = lintPaths([file], { host: new NodeFileHost(new Map(), 1024) }).findings;
    assert.deepStrictEqual(findings.map((f) => f.ruleId), ['nginx/unreadable']);
    assert.match(findings[0].message, /limit/);
  });

  it('deeply nested blocks (10,000 levels) are one finding, not a stack overflow', () => {
    const depth = 10000;
    const file = write('nginx.conf', 'location / {'.repeat(depth) + '}'.repeat(depth));
    const findings = syntax(lint(file));
    assert.strictEqual(findings.length, 1, summary(findings).join('\n'));
    assert.match(findings[0].message, /nested deeper than/);
  });
});
