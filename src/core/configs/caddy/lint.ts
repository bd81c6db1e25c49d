// Runs the Caddyfile rules over one file and turns read, parse and import problems into findings. Each
// Caddyfile is linted on its own (like HAProxy files); its `import`s are resolved to check they exist,
// to find cycles, and to bring in the snippets the imported files define.
import * as path from 'path';
import { runRules } from '../../ruleRunner';
import type { Finding, Range, Severity } from '../../finding';
import { FileHost, FileReadError, expandGlob, hasGlob } from '../../host';
import { LineIndex } from '../../text';
import { CaddyConfig } from './config';
import { CaddyDirective, CaddyTopBlock, ParsedCaddy, parseCaddyfile, walkDirectives } from './parser';
import { CaddyRule, CaddyRuleContext } from './rule';
import { caddyRules } from './rules';

export interface CaddyLintOptions {
  disabledRules?: ReadonlySet<string>;
  caddyRules?: CaddyRule[];
}

const NOWHERE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Imported files are followed this deep (Caddy has no limit but a cycle check; we also stop runaway chains). */
const MAX_IMPORT_DEPTH = 16;

/** Names a Caddyfile goes by: `Caddyfile`, `Caddyfile.*` (not .json/.yaml), `*.caddyfile`, `*.caddy`. */
export function isCaddyFileName(file: string): boolean {
  const base = path.basename(file);
  if (base.startsWith('.')) return false;
  if (/^caddyfile$/i.test(base) || /\.caddyfile$/i.test(base) || /\.caddy$/i.test(base)) return true;
  return /^caddyfile\.[^.]+$/i.test(base) && !/\.(json|ya?ml|toml|md|txt|bak|orig|swp)$/i.test(base);
}

/** A file under a `caddy` folder (`/etc/caddy/sites/app`): its content decides. */
export function isUnderCaddyFolder(file: string): boolean {
  return path.dirname(file).split(/[\\/]/).some((seg) => seg.toLowerCase() === 'caddy');
}

/**
 * Content sniffing for files under a `caddy` folder: a line that opens a site block (`example.com {`,
 * `:8080 {`, `http://… {`) or a snippet, and a directive only Caddyfiles have. Semicolons at line ends
 * (nginx) rule it out. Reads the head line by line.
 */
export function looksLikeCaddyfile(text: string): boolean {
  const head = text.slice(0, 65536);
  let site = false;
  let directive = false;
  let semicolons = 0;
  let pos = 0;
  while (pos < head.length && !(site && directive)) {
    let eol = head.indexOf('\n', pos);
    if (eol === -1) eol = head.length;
    const line = head.slice(pos, eol).replace(/\r$/, '');
    pos = eol + 1;
    if (/;\s*(#.*)?$/.test(line)) semicolons++;
    if (/^\s*((https?:\/\/)?[A-Za-z0-9*_.-]*(:\d+)?(,\s*|\s+))*(https?:\/\/)?[A-Za-z0-9*_.-]*(:\d+)?\s+\{\s*(#.*)?$/.test(line) && /[.:*]|localhost/.test(line.split('{')[0])) site = true;
    else if (/^\s*\([A-Za-z0-9_.-]+\)\s+\{\s*$/.test(line)) site = true;
    if (/^\s*(reverse_proxy|php_fastcgi|file_server|handle_path|handle|respond|redir|encode|import|tls|header|route|root|basicauth|basic_auth|try_files|uri|log)(\s|$)/.test(line) && !/;\s*$/.test(line)) directive = true;
  }
  return site && directive && semicolons === 0;
}

function finding(ruleId: string, severity: Severity, message: string, file: string, range: Range, cause: Finding['cause'] = 'observability'): Finding {
  return { ruleId, cause, severity, message, file, range, related: [], fixes: [] };
}

interface ImportContext {
  host: FileHost;
  /** Files on the current import chain (for cycles), outermost first. */
  chain: string[];
  /** Snippets collected from imported files. */
  snippets: Map<string, CaddyTopBlock>;
  findings: Finding[];
  /** The file being linted: findings are placed on its import lines. */
  root: string;
  rootLines: LineIndex;
  parsed: Map<string, ParsedCaddy | undefined>;
}

/** Every `import` directive in a parsed file: top-level ones and those inside blocks. */
function importsOf(parsed: ParsedCaddy): CaddyDirective[] {
  const out: CaddyDirective[] = [];
  for (const b of parsed.blocks) for (const { directive } of walkDirectives(b.body)) if (directive.name === 'import') out.push(directive);
  return out;
}

function snippetNames(parsed: ParsedCaddy): Set<string> {
  return new Set(parsed.blocks.filter((b) => b.kind === 'snippet' && b.name !== undefined).map((b) => b.name!));
}

/**
 * Resolves the file imports of `parsed` (a file on the chain), collecting their snippets; findings go on
 * `at` (the root file's import line that led here) or, for the root itself, on each import line.
 */
function followImports(parsed: ParsedCaddy, ctx: ImportContext, at: CaddyDirective | undefined, knownSnippets: Set<string>): void {
  const file = parsed.file;
  const here = (d: CaddyDirective) => (at ? ctx.rootLines.range(at.start, at.end) : ctx.rootLines.range(d.start, d.args[d.args.length - 1]?.end ?? d.end));
  const own = snippetNames(parsed);
  for (const d of importsOf(parsed)) {
    const arg = d.args[0];
    if (!arg) {
      if (!at) ctx.findings.push(finding('caddy/syntax', 'error', '`import` needs a snippet name or a file pattern', ctx.root, here(d), 'upstream-down'));
      continue;
    }
    const name = arg.text;
    if (own.has(name) || knownSnippets.has(name) || ctx.snippets.has(name)) continue;
    if (arg.env || name.includes('{')) continue; // a placeholder: only known on the server
    const pattern = path.isAbsolute(name) ? name : path.join(path.dirname(file), name);
    const matches = expandGlob(ctx.host, pattern).filter((f) => !ctx.host.isDirectory(f)).sort();
    if (matches.length === 0) {
      if (at) continue; // reported where the chain starts, once
      if (hasGlob(name)) {
        ctx.findings.push(finding('caddy/import-not-found', 'info', `\`import ${name}\` matches no file here; Caddy only warns ("No files matching import glob pattern") and imports nothing`, ctx.root, here(d)));
      } else {
        const looksLikeSnippet = !/[/\\.]/.test(name);
        ctx.findings.push(
          finding(
            'caddy/import-not-found',
            looksLikeSnippet ? 'warning' : 'info',
            looksLikeSnippet
              ? `\`import ${name}\`: no snippet \`(${name})\` is defined before it and no file ${name} exists next to this file; Caddy refuses such a config ("File to import not found: ${name}")`
              : `\`import ${name}\`: ${pattern} is not in the workspace; if it is missing on the server too, Caddy refuses the config ("File to import not found")`,
            ctx.root,
            here(d),
          ),
        );
      }
      continue;
    }
    for (const m of matches) {
      const onChain = ctx.chain.indexOf(m);
      if (onChain !== -1) {
        const cycle = [...ctx.chain.slice(onChain), m].map((f) => path.basename(f)).join(' → ');
        ctx.findings.push(finding('caddy/import-cycle', 'error', `files import each other in a cycle (${cycle}): Caddy refuses the config ("a cycle of imports exists")`, ctx.root, here(d), 'upstream-down'));
        continue;
      }
      if (ctx.chain.length >= MAX_IMPORT_DEPTH) continue;
      let child = ctx.parsed.get(m);
      if (!ctx.parsed.has(m)) {
        try {
          child = parseCaddyfile(m, ctx.host.readFile(m));
        } catch (err) {
          child = undefined;
          const message = err instanceof FileReadError ? err.message : String((err as Error)?.message ?? err);
          ctx.findings.push(finding('caddy/import-not-found', 'warning', `\`import ${name}\`: ${message}`, ctx.root, here(d)));
        }
        ctx.parsed.set(m, child);
      }
      if (!child || child.binary) continue;
      for (const b of child.blocks) if (b.kind === 'snippet' && b.name !== undefined && !ctx.snippets.has(b.name)) ctx.snippets.set(b.name, b);
      ctx.chain.push(m);
      followImports(child, ctx, at ?? d, new Set([...knownSnippets, ...own]));
      ctx.chain.pop();
    }
  }
}

/** Snippets importing each other (`(a)` imports b, `(b)` imports a): Caddy refuses the config. */
function snippetCycles(parsed: ParsedCaddy, lines: LineIndex): Finding[] {
  const snippets = new Map(parsed.blocks.filter((b) => b.kind === 'snippet' && b.name !== undefined).map((b) => [b.name!, b]));
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const [name, block] of snippets) {
    // Depth-first from each snippet, looking for a way back to it.
    const stack: Array<{ name: string; path: string[] }> = [{ name, path: [name] }];
    const seen = new Set<string>();
    while (stack.length) {
      const cur = stack.pop()!;
      const b = snippets.get(cur.name);
      if (!b || seen.has(cur.name)) continue;
      seen.add(cur.name);
      for (const { directive } of walkDirectives(b.body)) {
        if (directive.name !== 'import') continue;
        const target = directive.args[0]?.text ?? '';
        if (target === name) {
          const key = [...cur.path].sort().join('\0');
          if (!reported.has(key)) {
            reported.add(key);
            out.push(finding('caddy/import-cycle', 'error', `snippets import each other in a cycle (${[...cur.path, name].join(' → ')}): Caddy refuses the config ("a cycle of imports exists")`, parsed.file, lines.range(block.keys[0].start, block.keys[0].end), 'upstream-down'));
          }
        } else if (snippets.has(target)) stack.push({ name: target, path: [...cur.path, target] });
      }
    }
  }
  return out;
}

export function lintCaddyText(file: string, text: string, options: CaddyLintOptions & { host?: FileHost } = {}): Finding[] {
  const parsed = parseCaddyfile(file, text);
  if (parsed.binary) return [finding('caddy/unreadable', 'warning', parsed.problems[0].message, file, NOWHERE)];
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  for (const p of parsed.problems) findings.push(finding('caddy/syntax', p.severity, p.message, file, lines.range(p.start, p.end), 'upstream-down'));
  const snippets = new Map<string, CaddyTopBlock>();
  if (options.host) {
    const ctx: ImportContext = { host: options.host, chain: [file], snippets, findings, root: file, rootLines: lines, parsed: new Map() };
    followImports(parsed, ctx, undefined, new Set());
  }
  findings.push(...snippetCycles(parsed, lines));
  const config = new CaddyConfig(parsed, text, snippets);
  const ctx = new CaddyRuleContext(config);
  findings.push(...runRules(options.caddyRules ?? caddyRules, ctx, file, { disabledRules: options.disabledRules, present: (k) => config.keywords.has(k) }));
  findings.push(...ctx.findings);
  return findings;
}

/** Reads and lints one Caddyfile; a file that cannot be read is one finding, never a throw. */
export function lintCaddyFile(file: string, host: FileHost, options: CaddyLintOptions = {}): Finding[] {
  let text: string;
  try {
    text = host.readFile(file);
  } catch (err) {
    const message = err instanceof FileReadError ? err.message : `${file} could not be read: ${(err as Error)?.message ?? err}`;
    return [finding('caddy/unreadable', 'error', message, file, NOWHERE)];
  }
  return lintCaddyText(file, text, { ...options, host });
}
