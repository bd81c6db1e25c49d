// Real `apache2ctl -t` (Debian's httpd 2.4) on every Apache fixture: silent ones are valid configs, and
// every fixed fires.conf is accepted, so no quick fix ever leaves httpd unable to reload. The fires
// fixtures are valid as written too: what they show only fails once requests arrive (apacheRuns). And a
// copy of the machine's stock /etc/apache2 lints clean.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NodeFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { copyFixture, fixtureCases, fixUntilStable } from '../support/fixtures';
import { APACHECTL, apacheCheck } from '../support/apache';

describe('real apache2ctl -t on fixtures', () => {
  before(function () {
    if (!APACHECTL) this.skip();
  });

  for (const c of fixtureCases('apache')) {
    describe(c.name, () => {
      it('silent.conf is accepted by apache2ctl -t', () => {
        const r = apacheCheck(c.silent);
        assert.ok(r.ok, r.output);
      });

      it('fires.conf is accepted as written (the failure comes at request time)', () => {
        const r = apacheCheck(c.fires);
        assert.ok(r.ok, r.output);
      });

      it('fires.conf after its quick fixes is accepted by apache2ctl -t', () => {
        const tmp = copyFixture(c.dir);
        try {
          const file = path.join(tmp, 'fires.conf');
          const { applied } = fixUntilStable(file);
          const r = apacheCheck(file);
          assert.ok(r.ok, `after ${applied} fixes:\n${r.output}\n--- fixed text ---\n${fs.readFileSync(file, 'utf8')}`);
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }

  it('apache2ctl -t rejects what apache/syntax reports (unclosed and mismatched containers)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-apache-syntax-'));
    try {
      for (const [name, text, expect] of [
        ['unclosed.conf', '<VirtualHost *:80>\n    ServerName a.example\n', /was not closed/],
        ['mismatched.conf', '<VirtualHost *:80>\n</Location>\n', /Expected <\/VirtualHost> but saw <\/Location>/],
        ['nogt.conf', '<VirtualHost *:80\n</VirtualHost>\n', /missing closing '>'/],
      ] as const) {
        const f = path.join(tmp, name);
        fs.writeFileSync(f, text);
        const r = apacheCheck(f);
        assert.ok(!r.ok && expect.test(r.output), `${name}: ${r.output}`);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("Debian's own /etc/apache2 as a workspace", () => {
  it('a copy of the stock config lints clean, with sites-enabled read inside apache2.conf', function () {
    if (!fs.existsSync('/etc/apache2/apache2.conf')) this.skip();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-etc-apache2-'));
    try {
      // Dereference the mods-enabled/sites-enabled links, as a checked-in copy would have them.
      fs.cpSync('/etc/apache2', path.join(tmp, 'apache2'), { recursive: true, dereference: true });
      const r = lintPaths([tmp], { host: new NodeFileHost() });
      assert.deepStrictEqual(r.findings.map((f) => `${path.relative(tmp, f.file)}:${f.range.start.line + 1} ${f.ruleId}: ${f.message}`), []);
      const site = path.join(tmp, 'apache2', 'sites-enabled', '000-default.conf');
      if (fs.existsSync(site)) assert.ok(!r.roots.includes(site), 'the default site is included by apache2.conf, not a root of its own');
      assert.ok(r.files.includes(path.join(tmp, 'apache2', 'ports.conf')), 'Include ports.conf was followed');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
