// Topology fixtures: test/fixtures/topology/<rule-doc-name>/{fires,silent}/ are small workspaces (nginx
// files and app-server configs). In fires/, every line marked `# expect: ID` (or `; expect:` in ini
// files, `// expect:` in JavaScript) must get that finding and nothing else may be reported; silent/ must
// get no cross-layer finding.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding, TextEdit } from '../../src/core/finding';
import { NodeFileHost } from '../../src/core/host';
import { lintPaths } from '../../src/core/lint';
import { SourceCache, buildTree, findRoots } from '../../src/core/configs/nginx/tree';
import { isNginxFileName, looksLikeNginx } from '../../src/core/configs/nginx/lint';
import { lintTopology } from '../../src/core/topology/lint';
import { readAppSide } from '../../src/core/topology/workspace';
import { applyFixGroups } from '../../src/core/fixes';
import { repoRoot } from './fixtures';

export const topologyFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'topology');

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

export interface Mark {
  file: string;
  line: number;
  ids: string[];
}

export function marksIn(dir: string): Mark[] {
  const out: Mark[] = [];
  for (const file of filesUnder(dir)) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((l, line) => {
        // `# expect-next: ID` on the line above, for formats without trailing comments (Apache httpd).
        const next = /^\s*#\s*expect-next:\s*(.+)$/.exec(l);
        if (next) {
          out.push({ file, line: line + 1, ids: next[1].split(',').map((s) => s.trim()).filter(Boolean) });
          return;
        }
        const m = /(?:#|;|\/\/)\s*expect:\s*(.+)$/.exec(l);
        if (m) out.push({ file, line, ids: m[1].split(',').map((s) => s.trim()).filter(Boolean) });
      });
  }
  return out;
}

/** Differences between findings and marks, as readable lines (empty: they agree). */
export function markMismatches(dir: string, findings: Finding[]): string[] {
  const marks = marksIn(dir);
  const problems: string[] = [];
  for (const m of marks)
    for (const id of m.ids)
      if (!findings.some((f) => f.file === m.file && f.range.start.line === m.line && (f.ruleId === id || f.cause === id)))
        problems.push(`${path.relative(dir, m.file)}:${m.line + 1}: expected ${id}`);
  for (const f of findings) {
    const m = marks.find((x) => x.file === f.file && x.line === f.range.start.line);
    if (!m || !m.ids.some((id) => id === f.ruleId || id === f.cause)) problems.push(`${path.relative(dir, f.file)}:${f.range.start.line + 1}: unexpected ${f.ruleId}: ${f.message}`);
  }
  return problems;
}

export interface TopologyCase {
  name: string;
  fires: string;
  silent: string;
}

export function topologyCases(): TopologyCase[] {
  if (!fs.existsSync(topologyFixturesDir)) return [];
  return fs
    .readdirSync(topologyFixturesDir)
    .sort()
    .map((name) => ({ name, fires: path.join(topologyFixturesDir, name, 'fires'), silent: path.join(topologyFixturesDir, name, 'silent') }));
}

export function copyDir(dir: string): string {
  const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'gd-topology-'));
  fs.cpSync(dir, tmp, { recursive: true });
  return tmp;
}

export function topologyOf(dir: string): Finding[] {
  return lintPaths([dir], { host: new NodeFileHost() }).findings.filter((f) => f.ruleId.startsWith('topology/'));
}

/** The same, built by hand from the parts (checks lintPaths wires them as the parts do). */
export function topologyOfParts(dir: string): Finding[] {
  const host = new NodeFileHost();
  const files = filesUnder(dir);
  const nginx = files.filter((f) => isNginxFileName(f) || (/\.conf$/.test(f) && looksLikeNginx(fs.readFileSync(f, 'utf8'))));
  const cache = new SourceCache(host);
  const trees = findRoots(nginx, cache).map((r) => buildTree(r, cache));
  const { apps, texts } = readAppSide(host, files);
  return lintTopology(trees, apps, texts);
}

/** Applies the first fix of every fixable finding, file by file, until none is left (at most 5 passes). */
export function fixTopologyUntilStable(dir: string): number {
  let applied = 0;
  for (let pass = 0; pass < 5; pass++) {
    const fixable = topologyOf(dir).filter((f) => f.fixes.length > 0);
    if (!fixable.length) break;
    const byFile = new Map<string, TextEdit[][]>();
    for (const f of fixable) for (const e of f.fixes[0].edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), [e]]);
    for (const [file, groups] of byFile) {
      const r = applyFixGroups(fs.readFileSync(file, 'utf8'), groups);
      fs.writeFileSync(file, r.text);
      applied += r.applied;
    }
  }
  return applied;
}

