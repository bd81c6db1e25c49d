// Real `caddy validate` (Debian's Caddy 2.6) on every Caddy fixture: silent ones are valid configs, and
// every fixed fires.caddyfile is accepted, so no quick fix ever leaves Caddy unable to reload. The parser's
// syntax findings are checked against the same binary: what it calls broken, Caddy refuses.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { copyFixture, fixtureCases, fixUntilStable, lintFile } from '../support/fixtures';
import { CADDY, caddyValidate } from '../support/caddy';

describe('real caddy validate on fixtures', function () {
  this.timeout(60000);
  before(function () {
    if (!CADDY) this.skip();
  });

  for (const c of fixtureCases('caddy')) {
    describe(c.name, () => {
      it('silent.caddyfile is accepted by caddy validate without warnings', () => {
        const r = caddyValidate(c.silent);
        assert.ok(r.ok, r.output);
        assert.deepStrictEqual(r.warnings, [], r.output);
      });

      it('fires.caddyfile after its quick fixes is accepted by caddy validate', () => {
        const tmp = copyFixture(c.dir);
        try {
          const file = path.join(tmp, 'fires.caddyfile');
          const { applied } = fixUntilStable(file);
          const r = caddyValidate(file);
          assert.ok(r.ok, `after ${applied} fixes:\n${r.output}\n--- fixed text ---\n${fs.readFileSync(file, 'utf8')}`);
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }

  // Each broken input: caddy refuses it, and Gateway Doctor reports caddy/syntax (or the import rule) on the
  // line Caddy names. Valid look-alikes must stay free of syntax findings.
  // The 4th field: where we report when it is not the line Caddy names (an unclosed `{` is marked at the
  // brace, while Caddy names the last token it read).
  const broken: Array<[string, string, string, number?]> = [
    ['a block with content after its {', ':8080 {\n\t@api { path /api/* }\n\treverse_proxy @api 127.0.0.1:9\n}\n', 'caddy/syntax'],
    ['an unclosed site block', ':8080 {\n\treverse_proxy 127.0.0.1:9\n', 'caddy/syntax', 1],
    ['an extra closing brace', ':8080 {\n\trespond ok\n}\n}\n', 'caddy/syntax'],
    ['an address glued to its brace', ':8080{\n\trespond ok\n}\n', 'caddy/syntax'],
    ['an unterminated quote', ':8080 {\n\trespond "abc\n}\n', 'caddy/syntax'],
    ['snippets importing each other', '(a) {\n\timport b\n}\n(b) {\n\timport a\n}\n:8080 {\n\timport a\n}\n', 'caddy/import-cycle'],
    ['a snippet name that does not exist', ':8080 {\n\timport nosuch\n\trespond ok\n}\n', 'caddy/import-not-found'],
  ];
  const valid: Array<[string, string]> = [
    ['a closing brace after the last option', ':8080 {\n\treverse_proxy 127.0.0.1:9 {\n\t\tlb_try_duration 5s }\n}\n'],
    ['a lone site without braces', ':8080\nreverse_proxy 127.0.0.1:9\n'],
    ['backticks, a # inside a token, a line continuation', ':8080 {\n\trespond `a"b {x}` 200\n\trespond a#b\n\theader X-A \\\n\t\t"v"\n}\n'],
    ['comma-separated addresses over two lines, a snippet, a global block', '{\n\tadmin off\n}\n(common) {\n\tencode gzip\n}\nhttp://a.example,\nhttp://b.example {\n\timport common\n\trespond ok\n}\n'],
  ];
  const tmpFile = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-caddy-syntax-'));
    const file = path.join(dir, 'Caddyfile');
    fs.writeFileSync(file, text);
    return { dir, file };
  };
  for (const [name, text, rule, ourLine] of broken) {
    it(`Caddy refuses ${name}, and ${rule} is reported on the line it names`, () => {
      const { dir, file } = tmpFile(text);
      try {
        const r = caddyValidate(file);
        assert.ok(!r.ok, `caddy accepted it:\n${r.output}`);
        const findings = lintFile(file).filter((f) => f.ruleId === rule);
        assert.ok(findings.length > 0, `no ${rule}; got ${lintFile(file).map((f) => f.ruleId).join(', ')}`);
        const caddyLine = /Caddyfile:(\d+)/.exec(r.output)?.[1];
        if (caddyLine && rule === 'caddy/syntax') assert.ok(/Caddyfile:\d+ - /.test(r.output), r.output);
        const expected = ourLine ?? (caddyLine && rule === 'caddy/syntax' ? Number(caddyLine) : undefined);
        if (expected !== undefined) assert.ok(findings.some((f) => f.range.start.line + 1 === expected), `expected line ${expected}; we said ${findings.map((f) => f.range.start.line + 1)}\n${r.output}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  for (const [name, text] of valid) {
    it(`Caddy accepts ${name}, and nothing is reported`, () => {
      const { dir, file } = tmpFile(text);
      try {
        const r = caddyValidate(file);
        assert.ok(r.ok, r.output);
        assert.deepStrictEqual(lintFile(file).map((f) => `${f.range.start.line + 1} ${f.ruleId}: ${f.message}`), []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
