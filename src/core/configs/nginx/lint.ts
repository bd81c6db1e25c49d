// Runs the nginx rules over config trees and turns parser/include problems into findings.
import { runRules } from '../../ruleRunner';
import * as path from 'path';
import type { CauseId, Finding } from '../../finding';
import { findingKey } from '../../finding';
import { ConfTree, SourceCache, buildTree } from './tree';
import { RuleContext, NginxRule } from './rule';
import { NginxVersion, parseVersion, versionHint } from './version';
import { nginxRules } from './rules';

export interface NginxLintOptions {
  /** A version string from a setting or flag ('1.29.7'); a `# nginx 1.27` hint in a file is used otherwise. */
  nginxVersion?: string;
  /** Rule ids to skip. */
  disabledRules?: ReadonlySet<string>;
  rules?: NginxRule[];
}

const PROBLEM_RULES: Record<string, { ruleId: string; cause: CauseId }> = {
  parse: { ruleId: 'nginx/syntax', cause: 'upstream-down' },
  'include-cycle': { ruleId: 'nginx/include-cycle', cause: 'upstream-down' },
  'include-missing': { ruleId: 'nginx/include-not-found', cause: 'observability' },
  'include-unreadable': { ruleId: 'nginx/include-unreadable', cause: 'observability' },
  unreadable: { ruleId: 'nginx/unreadable', cause: 'observability' },
};

export function treeVersion(tree: ConfTree, explicit?: string): NginxVersion | undefined {
  if (explicit) {
    const v = parseVersion(explicit, 'setting');
    if (v) return v;
  }
  for (const s of tree.files.values()) {
    const v = versionHint(s.text, s.file);
    if (v) return v;
  }
  return undefined;
}

export function lintTree(tree: ConfTree, options: NginxLintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  for (const p of tree.problems) {
    const map = PROBLEM_RULES[p.kind];
    const src = tree.files.get(p.file);
    const range = src ? src.lines.range(p.start, p.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    findings.push({ ruleId: map.ruleId, cause: map.cause, severity: p.severity, message: p.message, file: p.file, range, related: [], fixes: [] });
  }
  const version = treeVersion(tree, options.nginxVersion);
  const ctx = new RuleContext(tree, version);
  findings.push(...runRules(options.rules ?? nginxRules, ctx, tree.rootFile, { disabledRules: options.disabledRules, present: (n) => tree.byName.has(n) }));
  findings.push(...ctx.findings);
  return findings;
}

/**
 * Lints several root files sharing one parse cache; findings in files reached twice are kept once.
 * Pass `seen` to keep that across calls (a scan that lints its roots one at a time).
 */
export function lintNginxRoots(
  roots: string[],
  cache: SourceCache,
  options: NginxLintOptions = {},
  seen = new Set<string>(),
): { findings: Finding[]; trees: ConfTree[] } {
  const findings: Finding[] = [];
  const trees: ConfTree[] = [];
  for (const root of roots) {
    const tree = buildTree(root, cache);
    trees.push(tree);
    for (const f of lintTree(tree, options)) {
      const key = findingKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  return { findings, trees };
}

/** Does this path look like an nginx config by name alone? */
export function isNginxFileName(file: string): boolean {
  const base = path.basename(file);
  const dir = path.basename(path.dirname(file));
  if (base === 'nginx.conf' || base.endsWith('.nginx') || base.endsWith('.nginxconf') || /^nginx.*\.conf(\.template)?$/.test(base)) return true;
  if (/^(sites-available|sites-enabled|nginx|snippets)$/.test(dir)) return !base.startsWith('.');
  if (dir === 'conf.d' && /\.conf(\.template)?$/.test(base)) return true;
  if (/\.conf\.template$/.test(base) && /templates/.test(path.dirname(file))) return true;
  return false;
}

/** Content sniffing for `*.conf` files with other names: nginx block syntax with its directives. */
export function looksLikeNginx(text: string): boolean {
  const head = text.slice(0, 65536);
  return /^\s*(server|location|upstream|http)\s[^\n]*\{/m.test(head) && /\b(listen|proxy_pass|server_name|root|fastcgi_pass|location|upstream)\b[^\n;]*;?/.test(head) && !/^\s*<\w/m.test(head);
}
