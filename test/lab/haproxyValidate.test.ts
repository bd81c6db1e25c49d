// Real `haproxy -c -f` (Debian's HAProxy) on every HAProxy fixture: silent ones are valid configs, and
// every fixed fires.cfg is accepted, so no quick fix ever leaves HAProxy unable to reload. Where a rule
// repeats one of HAProxy's own warnings, HAProxy must warn about the fires fixture too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { copyFixture, fixtureCases, fixUntilStable } from '../support/fixtures';
import { haproxyCheck } from '../support/haproxy';

describe('real haproxy -c on fixtures', () => {
  for (const c of fixtureCases('haproxy')) {
    describe(c.name, () => {
      it('silent.cfg is accepted by haproxy -c without warnings', () => {
        const r = haproxyCheck(c.silent);
        assert.ok(r.ok, r.output);
        assert.deepStrictEqual(r.warnings, [], r.output);
      });

      it('fires.cfg after its quick fixes is accepted by haproxy -c', function () {
        const tmp = copyFixture(c.dir);
        try {
          const file = path.join(tmp, 'fires.cfg');
          const { applied } = fixUntilStable(file);
          const text = fs.readFileSync(file, 'utf8');
          // A rule about what `haproxy -c` rejects, with no fix to offer, says so: `# haproxy-c: rejects`.
          if (/^# haproxy-c: rejects/m.test(text) && applied === 0) {
            const r = haproxyCheck(file);
            assert.ok(!r.ok, `marked as rejected, but haproxy -c accepts it:\n${r.output}`);
            this.skip();
          }
          const r = haproxyCheck(file);
          assert.ok(r.ok, `after ${applied} fixes:\n${r.output}\n--- fixed text ---\n${text}`);
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }

  it('haproxy -c warns "missing timeouts" for exactly the proxies haproxy/missing-timeouts marks', () => {
    const c = fixtureCases('haproxy').find((x) => x.name === 'haproxy-missing-timeouts')!;
    const r = haproxyCheck(c.fires);
    const warned = r.warnings.map((w) => /missing timeouts for \w+ '([^']+)'/.exec(w)?.[1]).filter(Boolean).sort();
    const marked = fs
      .readFileSync(c.fires, 'utf8')
      .split('\n')
      .filter((l) => /#\s*expect:/.test(l))
      .map((l) => l.trim().split(/\s+/)[1])
      .sort();
    assert.deepStrictEqual(warned, marked, r.output);
  });
});
