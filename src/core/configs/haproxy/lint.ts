// Runs the HAProxy rules over one file and turns read and parse problems into findings. HAProxy has no
// include directive: each file is read on its own (several `-f` files are noted where it matters).
import { runRules } from '../../ruleRunner';
import * as path from 'path';
import type { Finding } from '../../finding';
import { FileHost, FileReadError } from '../../host';
import { HaproxyConfig } from './config';
import { parseHaproxy } from './parser';
import { HaproxyRule, HaproxyRuleContext } from './rule';
import { haproxyRules } from './rules';

export interface HaproxyLintOptions {
  disabledRules?: ReadonlySet<string>;
  haproxyRules?: HaproxyRule[];
}

const NOWHERE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Names HAProxy configs go by: haproxy.cfg, haproxy*.cfg, haproxy*.conf, any *.cfg under a `haproxy` folder. */
export function isHaproxyFileName(file: string): boolean {
  const base = path.basename(file);
  if (base.startsWith('.')) return false;
  if (/^haproxy.*\.(cfg|conf)$/.test(base)) return true;
  if (!base.endsWith('.cfg')) return false;
  return path.dirname(file).split(/[\\/]/).includes('haproxy');
}

/**
 * Content sniffing for other `*.cfg` files: a proxy section header at the start of a line, and a line
 * with a keyword only HAProxy configs have. Reads the head line by line.
 */
export function looksLikeHaproxy(text: string): boolean {
  const head = text.slice(0, 65536);
  let section = false;
  let keyword = false;
  let pos = 0;
  while (pos < head.length && !(section && keyword)) {
    let eol = head.indexOf('\n', pos);
    if (eol === -1) eol = head.length;
    const line = head.slice(pos, eol);
    pos = eol + 1;
    if (/^(frontend|backend|listen)\s+[A-Za-z0-9_.:-]+(\s|#|$)/.test(line) || /^(global|defaults)(\s|#|$)/.test(line)) section = true;
    else if (/^\s+(bind|server|default_backend|use_backend|balance|mode\s+(http|tcp)|timeout\s+(client|server|connect)|maxconn|option\s+\S+)(\s|$)/.test(line)) keyword = true;
  }
  return section && keyword;
}

export function lintHaproxyText(file: string, text: string, options: HaproxyLintOptions = {}): Finding[] {
  const parsed = parseHaproxy(file, text);
  const config = new HaproxyConfig(parsed, text);
  const findings: Finding[] = [];
  if (parsed.binary) {
    return [{ ruleId: 'haproxy/unreadable', cause: 'observability', severity: 'warning', message: parsed.problems[0].message, file, range: NOWHERE, related: [], fixes: [] }];
  }
  for (const p of parsed.problems) {
    findings.push({ ruleId: 'haproxy/syntax', cause: 'upstream-down', severity: p.severity, message: p.message, file, range: config.lines.range(p.start, p.end), related: [], fixes: [] });
  }
  const ctx = new HaproxyRuleContext(config);
  findings.push(...runRules(options.haproxyRules ?? haproxyRules, ctx, file, { disabledRules: options.disabledRules, present: (k) => config.keywords.has(k) }));
  findings.push(...ctx.findings);
  return findings;
}

/** Reads and lints one HAProxy file; a file that cannot be read is one finding, never a throw. */
export function lintHaproxyFile(file: string, host: FileHost, options: HaproxyLintOptions = {}): Finding[] {
  let text: string;
  try {
    text = host.readFile(file);
  } catch (err) {
    const message = err instanceof FileReadError ? err.message : `${file} could not be read: ${(err as Error)?.message ?? err}`;
    return [{ ruleId: 'haproxy/unreadable', cause: 'observability', severity: 'error', message, file, range: NOWHERE, related: [], fixes: [] }];
  }
  return lintHaproxyText(file, text, options);
}
