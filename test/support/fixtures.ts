// Fixture conventions (markdownlint style): test/fixtures/nginx/<rule-doc-name>/fires.conf (HAProxy:
// test/fixtures/haproxy/<rule-doc-name>/fires.cfg, Apache: test/fixtures/apache/<rule-doc-name>/fires.conf,
// Caddy: test/fixtures/caddy/<rule-doc-name>/fires.caddyfile) must report on every line marked
// `# expect: ID[, ID]` (a rule id or a cause id) and nowhere else; silent.conf / .cfg / .caddyfile must report
// nothing at all. httpd allows comments only at the start of a line, so Apache fixtures put
// `# expect-next: ID` on the line above the one that must report.
// Other files in the folder may be included by them.
import * as fs from 'fs';
import * as path from 'path';
import { NodeFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { Finding } from '../../src/core/finding';
import { fixOnDiskUntilStable } from '../../src/core/fixes';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'nginx');
export const haproxyFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'haproxy');
export const apacheFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'apache');
export const caddyFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'caddy');

export interface Expectation {
  line: number; // 0-based
  ids: string[];
}

export function expectationsOf(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((l, line) => {
    const next = /^\s*#\s*expect-next:\s*([^#]+)$/.exec(l);
    const m = next ?? /#\s*expect:\s*([^#]+)$/.exec(l);
    if (m) out.push({ line: next ? line + 1 : line, ids: m[1].split(',').map((s) => s.trim()).filter(Boolean) });
  });
  return out;
}

export function lintFile(file: string, nginxVersion?: string): Finding[] {
  return lintPaths([file], { host: new NodeFileHost(), nginxVersion }).findings;
}

/** Compares findings with the `# expect:` marks; returns human-readable mismatches (empty = match). */
export function mismatches(file: string, findings: Finding[]): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const expected = expectationsOf(text);
  const problems: string[] = [];
  const own = findings.filter((f) => f.file === file);
  for (const e of expected) {
    for (const id of e.ids) {
      if (!own.some((f) => f.range.start.line === e.line && (f.ruleId === id || f.cause === id))) {
        problems.push(`${path.basename(file)}:${e.line + 1}: expected ${id}, got ${own.filter((f) => f.range.start.line === e.line).map((f) => f.ruleId).join(', ') || 'nothing'}`);
      }
    }
  }
  for (const f of findings) {
    const e = f.file === file ? expected.find((x) => x.line === f.range.start.line) : undefined;
    if (!e || !e.ids.some((id) => id === f.ruleId || id === f.cause)) {
      problems.push(`${path.relative(path.dirname(path.dirname(file)), f.file)}:${f.range.start.line + 1}: unexpected ${f.ruleId} (${f.cause}): ${f.message}`);
    }
  }
  return problems;
}

export interface FixtureCase {
  kind: 'nginx' | 'haproxy' | 'apache' | 'caddy' | 'kubernetes';
  name: string;
  dir: string;
  fires: string;
  silent: string;
}

/** Every fixture pair: nginx ones (`.conf`) first, then HAProxy ones (`.cfg`), Apache ones (`.conf`), Caddy ones (`.caddyfile`). */
export function fixtureCases(kind?: FixtureCase['kind']): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const [k, dir, ext] of [['nginx', fixturesDir, '.conf'], ['haproxy', haproxyFixturesDir, '.cfg'], ['apache', apacheFixturesDir, '.conf'], ['caddy', caddyFixturesDir, '.caddyfile'], ['kubernetes', path.join(repoRoot, 'test', 'fixtures', 'kubernetes'), '.yaml']] as const) {
    if ((kind && kind !== k) || !fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isDirectory()).sort()) {
      out.push({ kind: k, name, dir: path.join(dir, name), fires: path.join(dir, name, 'fires' + ext), silent: path.join(dir, name, 'silent' + ext) });
    }
  }
  return out;
}

/** Copies a fixture folder to a fresh temp folder (fixes and nginx -t write there, never in the repo). */
export function copyFixture(dir: string): string {
  const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-fixture-'));
  fs.cpSync(dir, tmp, { recursive: true });
  return tmp;
}

/** Applies fixes exactly as `lint --fix` does (the same core function), to a fixture copy. */
export function fixUntilStable(file: string, nginxVersion?: string): { text: string; findings: Finding[]; applied: number } {
  const { result, applied } = fixOnDiskUntilStable(() => ({ findings: lintFile(file, nginxVersion) }));
  return { text: fs.readFileSync(file, 'utf8'), findings: result.findings, applied };
}
