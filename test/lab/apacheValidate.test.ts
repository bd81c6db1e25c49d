// Real `apache2ctl -t` (Debian's httpd 2.4) on every Apache fixture: silent ones are valid configs, and
// every fixed fires.conf is accepted, so no quick fix ever leaves httpd unable to reload. The fires
// fixtures are valid as written too: what they show only fails once requests arrive (apacheRuns).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
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
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-apache-syntax-'));
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
