// Every rule: docs page, a fixture that fires exactly where marked, one that stays silent; fixes leave
// no fixable finding of the same rule behind. (Real `nginx -t` / `haproxy -c` on the fixed text: test/lab.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { allRules } from '../../src/core/rules';
import { nginxRules } from '../../src/core/configs/nginx/rules';
import { haproxyRules } from '../../src/core/configs/haproxy/rules';
import { apacheRules } from '../../src/core/configs/apache/rules';
import { caddyRules } from '../../src/core/configs/caddy/rules';
import { kubernetesRules } from '../../src/core/configs/kubernetes/rules';
import { docsFileName } from '../../src/core/finding';
import { copyFixture, fixtureCases, fixUntilStable, lintFile, mismatches, repoRoot } from '../support/fixtures';

describe('rule fixtures', () => {
  const cases = fixtureCases();

  it('every rule has a doc page, and every non-engine rule a fixture pair', () => {
    const missing: string[] = [];
    for (const r of allRules()) {
      const doc = path.join(repoRoot, 'docs', 'rules', docsFileName(r.id));
      if (!fs.existsSync(doc)) missing.push(`${r.id}: no ${path.relative(repoRoot, doc)}`);
      else if (!fs.readFileSync(doc, 'utf8').includes(r.id)) missing.push(`${r.id}: doc page does not name the rule id`);
      if (r.engine || r.crossLayer) continue;
      const c = cases.find((x) => x.name === docsFileName(r.id).replace(/\.md$/, ''));
      if (!c || !fs.existsSync(c.fires) || !fs.existsSync(c.silent)) missing.push(`${r.id}: no fires + silent fixture pair`);
      else if (c.kind !== r.id.split('/')[0]) missing.push(`${r.id}: its fixture is under test/fixtures/${c.kind}`);
    }
    assert.deepStrictEqual(missing, []);
  });

  it('every rule is listed in the README', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    assert.deepStrictEqual(allRules().filter((r) => !readme.includes(r.id)).map((r) => r.id), []);
  });

  for (const c of cases) {
    const rule = [...nginxRules, ...haproxyRules, ...apacheRules, ...caddyRules, ...kubernetesRules].find((r) => docsFileName(r.id) === c.name + '.md');
    const fires = path.basename(c.fires);
    describe(c.name, () => {
      it(`${fires} reports exactly where marked`, () => {
        const text = fs.readFileSync(c.fires, 'utf8');
        assert.ok(/#\s*expect(-next)?:/.test(text), `${fires} has no \`# expect:\` marks`);
        const findings = lintFile(c.fires);
        assert.deepStrictEqual(mismatches(c.fires, findings), []);
        if (rule) assert.ok(findings.some((f) => f.ruleId === rule.id), `${rule.id} did not fire`);
      });

      it(`${path.basename(c.silent)} reports nothing`, () => {
        assert.deepStrictEqual(
          lintFile(c.silent).map((f) => `${f.range.start.line + 1}: ${f.ruleId}: ${f.message}`),
          [],
        );
      });

      it('fixes leave no fixable finding behind and keep every comment and directive', () => {
        const tmp = copyFixture(c.dir);
        try {
          const file = path.join(tmp, fires);
          const before = fs.readFileSync(file, 'utf8');
          const { text, findings } = fixUntilStable(file);
          assert.deepStrictEqual(findings.filter((f) => f.fixes.length > 0).map((f) => `${f.ruleId}@${f.range.start.line + 1}`), []);
          // Nothing the user wrote is lost: every original non-blank line survives somewhere in the result
          // unless a fix replaced a value on it (then its directive name still starts a line).
          for (const line of before.split('\n').map((l) => l.trim()).filter(Boolean)) {
            const name = line.split(/\s+/)[0];
            assert.ok(text.includes(line) || text.split('\n').some((l) => l.trim().startsWith(name)), `fix lost: ${line}`);
          }
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }
});
