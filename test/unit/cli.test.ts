// The CLI contract of DESIGN.md, run as a user runs it: `node dist/cli.js lint …` in a child process
// (needs `node esbuild.js` first). Exit codes, JSON keys and 1-based positions, SARIF shape, --fix.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { repoRoot } from '../support/fixtures';

const CLI = path.join(repoRoot, 'dist', 'cli.js');

let dir: string;

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CLEAN = 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            return 204;\n        }\n    }\n}\n';
// Line 6 has a fixable warning (https upstream by name without SNI).
const WARN = 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass https://203.0.113.10;\n            proxy_pass_header Server;\n        }\n        location /api/ {\n            proxy_pass https://localhost:8443;\n        }\n    }\n}\n';
const BROKEN = 'events {}\nhttp {\n    server {\n        listen 80\n    }\n}\n';

describe('CLI (dist/cli.js)', () => {
  before(function () {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.js\` first`);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-cli-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('exit codes', () => {
    it('0 when nothing is at error severity', () => {
      write('nginx.conf', CLEAN);
      const r = cli('lint', 'nginx.conf');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /No findings in 1 file\./);
      assert.strictEqual(r.stderr, '');
    });

    it('0 with warnings only', () => {
      write('nginx.conf', WARN);
      const r = cli('lint', 'nginx.conf');
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /warning/);
    });

    it('1 with a finding at error severity, printed as file, line:column', () => {
      write('nginx.conf', BROKEN);
      const r = cli('lint', 'nginx.conf');
      assert.strictEqual(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^nginx\.conf$/m);
      assert.match(r.stdout, /^ {2}4:18 {2}error .*\[nginx\/syntax, cause: upstream-down\]/m);
    });

    const usage: Array<[string, string[]]> = [
      ['no arguments', []],
      ['unknown command', ['frobnicate']],
      ['lint without a path', ['lint']],
      ['unknown option', ['lint', 'nginx.conf', '--bogus']],
      ['bad --format', ['lint', 'nginx.conf', '--format', 'xml']],
      ['--format without a value', ['lint', 'nginx.conf', '--format']],
      ['a missing path', ['lint', 'nope.conf']],
    ];
    for (const [what, args] of usage) {
      it(`2 for ${what}, with a short message on stderr and nothing on stdout`, () => {
        write('nginx.conf', CLEAN);
        const r = cli(...args);
        assert.strictEqual(r.code, 2, r.stdout + r.stderr);
        if (args.length === 0) return; // bare invocation prints the usage text
        assert.strictEqual(r.stdout, '');
        const lines = r.stderr.trim().split('\n');
        assert.ok(lines.length <= 2, r.stderr);
        assert.match(lines[0], /^gateway-doctor: \S/);
      });
    }

    it('a missing path names the path', () => {
      const r = cli('lint', 'missing/nginx.conf');
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr.split('\n')[0], /missing\/nginx\.conf: no such file or directory/);
    });

    it('binary input exits cleanly with a finding, not a crash', () => {
      write('nginx.conf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]));
      const r = cli('lint', 'nginx.conf', '--format', 'json');
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.strictEqual(r.stderr, '');
      const out = JSON.parse(r.stdout);
      assert.deepStrictEqual(out.findings.map((f: { ruleId: string }) => f.ruleId), ['nginx/unreadable']);
    });

    it('a folder with nothing to lint is exit 0', () => {
      write('readme.txt', 'hello');
      const r = cli('lint', '.');
      assert.strictEqual(r.code, 0, r.stderr);
    });
  });

  describe('--format json', () => {
    it('matches the DESIGN.md contract: keys, 1-based lines and columns, paths relative to the cwd', () => {
      write('conf/nginx.conf', WARN);
      const r = cli('lint', 'conf', '--format', 'json');
      assert.strictEqual(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepStrictEqual(Object.keys(out), ['findings']);
      const f = out.findings.find((x: { ruleId: string }) => x.ruleId === 'nginx/https-upstream-without-sni');
      assert.ok(f, r.stdout);
      assert.deepStrictEqual(Object.keys(f).sort(), ['cause', 'column', 'endColumn', 'endLine', 'file', 'fixes', 'line', 'message', 'related', 'ruleId', 'severity'].sort());
      for (const x of out.findings) {
        assert.ok(['error', 'warning', 'info'].includes(x.severity));
        assert.ok(x.line >= 1 && x.column >= 1 && x.endLine >= x.line);
      }
      // `proxy_pass https://localhost:8443;` is on line 10, starting at column 13 (1-based).
      assert.strictEqual(f.file, path.join('conf', 'nginx.conf'));
      assert.deepStrictEqual([f.line, f.column, f.endLine, f.endColumn], [10, 13, 10, 13 + 'proxy_pass https://localhost:8443'.length]);
      assert.strictEqual(f.cause, 'tls');
      assert.ok(Array.isArray(f.related));
      assert.strictEqual(f.fixes.length, 1);
      const fix = f.fixes[0];
      assert.deepStrictEqual(Object.keys(fix).sort(), ['edits', 'title']);
      assert.deepStrictEqual(Object.keys(fix.edits[0]).sort(), ['column', 'endColumn', 'endLine', 'file', 'line', 'newText'].sort());
      assert.strictEqual(fix.edits[0].line, 10);
    });

    it('related locations carry file, line, message', () => {
      write('nginx.conf', 'events {}\nhttp {\n    proxy_ssl_server_name off;\n    server {\n        location / {\n            proxy_pass https://api.example.com;\n        }\n    }\n}\n');
      const out = JSON.parse(cli('lint', 'nginx.conf', '--format', 'json').stdout);
      const f = out.findings.find((x: { ruleId: string }) => x.ruleId === 'nginx/https-upstream-without-sni');
      assert.deepStrictEqual(f.related, [{ file: 'nginx.conf', line: 3, message: 'SNI turned off here' }]);
    });

    it('an empty result is {"findings": []}', () => {
      write('nginx.conf', CLEAN);
      assert.deepStrictEqual(JSON.parse(cli('lint', 'nginx.conf', '--format=json').stdout), { findings: [] });
    });
  });

  describe('--format sarif', () => {
    it('is SARIF 2.1.0 in shape: version, runs[].tool.driver.rules, results with locations and regions', () => {
      write('nginx.conf', WARN + '}\n'); // a stray '}' at the end: one syntax error
      const r = cli('lint', 'nginx.conf', '--format', 'sarif');
      assert.strictEqual(r.code, 1, r.stderr);
      const log = JSON.parse(r.stdout);
      assert.strictEqual(log.version, '2.1.0');
      assert.match(log.$schema, /sarif-2\.1\.0/);
      assert.strictEqual(log.runs.length, 1);
      const run = log.runs[0];
      assert.strictEqual(run.tool.driver.name, 'gateway-doctor');
      const ruleIds = run.tool.driver.rules.map((x: { id: string }) => x.id);
      assert.ok(ruleIds.includes('nginx/syntax') && ruleIds.includes('nginx/https-upstream-without-sni'));
      assert.strictEqual(new Set(ruleIds).size, ruleIds.length, 'rule ids are unique');
      assert.ok(run.results.length >= 2);
      for (const res of run.results) {
        assert.ok(ruleIds.includes(res.ruleId), `${res.ruleId} is described in driver.rules`);
        assert.ok(['error', 'warning', 'note', 'none'].includes(res.level));
        assert.strictEqual(typeof res.message.text, 'string');
        const loc = res.locations[0].physicalLocation;
        assert.strictEqual(loc.artifactLocation.uri, 'nginx.conf');
        assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
        for (const fx of res.fixes ?? []) {
          assert.strictEqual(typeof fx.description.text, 'string');
          for (const ch of fx.artifactChanges) for (const rep of ch.replacements) assert.ok(rep.deletedRegion.startLine >= 1 && typeof rep.insertedContent.text === 'string');
        }
      }
      assert.ok(run.results.some((x: { level: string; ruleId: string }) => x.level === 'error' && x.ruleId === 'nginx/syntax'));
    });
  });

  describe('--fix', () => {
    it('rewrites the file, and the result re-lints clean of fixable findings and keeps the rest', () => {
      const file = write('nginx.conf', WARN);
      const before = JSON.parse(cli('lint', 'nginx.conf', '--format', 'json').stdout);
      assert.ok(before.findings.some((f: { fixes: unknown[] }) => f.fixes.length > 0), 'the input has something to fix');
      const r = cli('lint', 'nginx.conf', '--fix', '--format', 'json');
      assert.strictEqual(r.code, 0, r.stderr);
      const text = fs.readFileSync(file, 'utf8');
      assert.notStrictEqual(text, WARN);
      assert.match(text, /proxy_pass https:\/\/localhost:8443;\n\s+proxy_ssl_server_name on;/);
      for (const line of WARN.split('\n')) assert.ok(text.includes(line), `kept: ${line}`);
      // What --fix prints is the state after fixing, and a fresh lint agrees.
      const after = JSON.parse(cli('lint', 'nginx.conf', '--format', 'json').stdout);
      assert.deepStrictEqual(after.findings.filter((f: { fixes: unknown[] }) => f.fixes.length > 0), []);
      assert.deepStrictEqual(JSON.parse(r.stdout), after);
    });

    it('keeps CRLF line endings when it inserts lines', () => {
      const file = write('nginx.conf', WARN.replace(/\n/g, '\r\n'));
      cli('lint', 'nginx.conf', '--fix');
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.includes('proxy_ssl_server_name on;\r\n'));
      assert.ok(!/[^\r]\n/.test(text), 'no bare LF');
    });

    it('leaves a clean file byte for byte unchanged', () => {
      const file = write('nginx.conf', CLEAN);
      const mtime = fs.statSync(file).mtimeMs;
      assert.strictEqual(cli('lint', 'nginx.conf', '--fix').code, 0);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), CLEAN);
      assert.strictEqual(fs.statSync(file).mtimeMs, mtime);
    });
  });

  describe('HAProxy files', () => {
    const HAPROXY = 'global\n    daemon\ndefaults\n    mode http\n    timeout client 30s\n    timeout connect 5s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend ap\nbackend app\n    server a1 127.0.0.1:9001\n    server a2 127.0.0.1:9002 check\n';

    it('a folder with haproxy.cfg and nginx.conf: both linted, JSON in the contract shape, exit 1 for the error', () => {
      write('lb/haproxy.cfg', HAPROXY);
      write('nginx.conf', CLEAN);
      const r = cli('lint', '.', '--format', 'json');
      assert.strictEqual(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout);
      const f = out.findings.map((x: { ruleId: string; file: string; line: number; column: number; endColumn: number }) => `${x.file}:${x.line}:${x.column}-${x.endColumn} ${x.ruleId}`);
      assert.deepStrictEqual(f, [path.join('lb', 'haproxy.cfg') + ':10:21-23 haproxy/unknown-backend', path.join('lb', 'haproxy.cfg') + ':12:5-29 haproxy/servers-without-check']);
      assert.strictEqual(out.findings[0].cause, 'routing');
      assert.deepStrictEqual(out.findings[0].fixes[0].edits, [{ file: path.join('lb', 'haproxy.cfg'), line: 10, column: 21, endLine: 10, endColumn: 23, newText: 'app' }]);
    });

    it('--fix renames the backend and adds check; the file then lints clean (exit 0)', () => {
      const file = write('haproxy.cfg', HAPROXY);
      assert.strictEqual(cli('lint', 'haproxy.cfg', '--fix').code, 0);
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /default_backend app\n/);
      assert.match(text, /server a1 127\.0\.0\.1:9001 check\n/);
      assert.match(cli('lint', 'haproxy.cfg').stdout, /No findings in 1 file\./);
    });

    it('SARIF describes the HAProxy rules it reports', () => {
      write('haproxy.cfg', HAPROXY);
      const sarif = JSON.parse(cli('lint', 'haproxy.cfg', '--format', 'sarif').stdout);
      const ids = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
      for (const res of sarif.runs[0].results) assert.ok(ids.includes(res.ruleId), res.ruleId);
      assert.strictEqual(sarif.runs[0].results.length, 2);
    });
  });
});
