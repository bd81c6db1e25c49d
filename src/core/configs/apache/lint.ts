// Runs the Apache rules over each root file with its includes expanded, and turns read, parse and include
// problems into findings. Also says which files are Apache's: by name, by folder, or by content.
import * as path from 'path';
import type { Finding } from '../../finding';
import { findingKey } from '../../finding';
import { runRules } from '../../ruleRunner';
import { ApacheConfig } from './config';
import { ApacheRule, ApacheRuleContext } from './rule';
import { apacheRules } from './rules';
import { ApacheSourceCache, ApacheTreeProblemKind, buildApacheTree } from './tree';

export interface ApacheLintOptions {
  disabledRules?: ReadonlySet<string>;
  apacheRules?: ApacheRule[];
}

/** Folders only Debian/RHEL Apache layouts have. */
const APACHE_DIRS = /^(apache2?|httpd|mods-enabled|mods-available|conf-enabled|conf-available|conf\.modules\.d)$/;

/**
 * Names Apache configs go by: apache2.conf, httpd.conf, httpd-*.conf (extra/), and `*.conf` (`*.load` in
 * mods-*) under a folder named apache2, httpd, mods-*, conf-*. sites-enabled/ is shared with nginx: there
 * the content decides (`looksLikeApache`).
 */
export function isApacheFileName(file: string): boolean {
  const base = path.basename(file);
  if (base.startsWith('.')) return false;
  if (/^(apache2?|httpd)\.conf$/.test(base) || /^httpd-.*\.conf$/.test(base)) return true;
  const dirs = path.dirname(file).split(/[\\/]/);
  if (/\.load$/.test(base)) return /^mods-(enabled|available)$/.test(dirs[dirs.length - 1] ?? '');
  if (!base.endsWith('.conf')) return false;
  return dirs.some((d) => APACHE_DIRS.test(d));
}

const CONTAINER = /^\s*<\/?(VirtualHost|Location|LocationMatch|Directory|DirectoryMatch|Proxy|ProxyMatch|IfModule|IfDefine|Files|FilesMatch)(\s|>)/i;
const DIRECTIVE = /^\s*(ProxyPass|ProxyPassReverse|ProxyPassMatch|ProxyPreserveHost|ProxyTimeout|ServerName|ServerAlias|ServerRoot|DocumentRoot|LoadModule|Listen|BalancerMember|ErrorLog|CustomLog|SSLProxyEngine|SSLEngine|RewriteEngine|RewriteRule|Header|RequestHeader|Include|IncludeOptional|DirectoryIndex|Require|Options|AllowOverride)\s+[^;{}]*$/;

/**
 * Content sniffing (sites-enabled/, other `*.conf`): Apache containers or CamelCase directives without
 * nginx's `;` and braces, and more such lines than nginx-looking ones. Reads the head line by line.
 */
export function looksLikeApache(text: string): boolean {
  const head = text.slice(0, 65536);
  let apache = 0;
  let containers = 0;
  let nginx = 0;
  let pos = 0;
  while (pos < head.length) {
    let eol = head.indexOf('\n', pos);
    if (eol === -1) eol = head.length;
    const line = head.slice(pos, eol).replace(/\r$/, '');
    pos = eol + 1;
    if (/^\s*(#|$)/.test(line)) continue;
    if (CONTAINER.test(line)) containers++;
    else if (DIRECTIVE.test(line)) apache++;
    else if (/[;{}]\s*(#.*)?$/.test(line)) nginx++;
  }
  return (containers > 0 || apache >= 2) && containers + apache > nginx;
}

const PROBLEM_RULE: Record<ApacheTreeProblemKind, string> = {
  parse: 'apache/syntax',
  unreadable: 'apache/unreadable',
  'include-cycle': 'apache/include-cycle',
  'include-not-found': 'apache/include-not-found',
  'include-unreadable': 'apache/include-unreadable',
};

/** Lints roots (each with its includes); findings for files shared by several roots are reported once. */
export function lintApacheRoots(roots: string[], cache: ApacheSourceCache, options: ApacheLintOptions = {}, seen = new Set<string>()): { findings: Finding[]; files: string[] } {
  const findings: Finding[] = [];
  const files = new Set<string>();
  const push = (f: Finding) => {
    const key = findingKey(f);
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };
  for (const root of roots) {
    const tree = buildApacheTree(root, cache);
    for (const f of tree.files.keys()) files.add(f);
    files.add(root);
    for (const p of tree.problems) {
      const ruleId = PROBLEM_RULE[p.kind];
      if (options.disabledRules?.has(ruleId)) continue;
      const lines = tree.files.get(p.file)?.lines;
      const range = lines ? lines.range(p.start, p.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const cause = p.kind === 'parse' || p.kind === 'include-cycle' ? 'upstream-down' : 'observability';
      push({ ruleId, cause, severity: p.severity, message: p.message, file: p.file, range, related: [], fixes: [] });
    }
    if (!tree.files.has(root)) continue; // unreadable root: reported above
    if (tree.files.get(root)!.parsed.binary) continue;
    const config = new ApacheConfig(tree);
    const ctx = new ApacheRuleContext(config);
    for (const f of runRules(options.apacheRules ?? apacheRules, ctx, root, { disabledRules: options.disabledRules, present: (k) => config.keys.has(k) })) push(f);
    for (const f of ctx.findings) push(f);
  }
  return { findings, files: [...files] };
}
